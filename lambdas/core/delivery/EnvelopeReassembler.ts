import { type EnvelopeChunk, parseChunk } from './chunkEnvelope.ts';

interface Partial {
  readonly count: number;
  readonly totalBytes: number;
  readonly parts: (Uint8Array | undefined)[];
  received: number;
  bytes: number;
  readonly startedAt: number;
}

/**
 * Reassembles chunked envelopes on the agent. Duplicate chunks (QoS 1 redelivery) are ignored;
 * incomplete envelopes are dropped after `timeoutMs` (the edge sends them again) and the total memory
 * held is bounded: an envelope under way counts at its declared size from its first chunk, so chunks of
 * many envelopes arriving interleaved can't together exceed `maxHeldBytes`.
 *
 * @example
 * const whole = reassembler.accept(frame, Date.now());
 * if (whole) handle(whole.envelopeId, whole.envelope);
 */
export class EnvelopeReassembler {
  readonly #pending = new Map<string, Partial>();
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  #heldBytes = 0;

  constructor(options: { timeoutMs?: number; maxHeldBytes?: number } = {}) {
    this.#timeoutMs = options.timeoutMs ?? 5 * 60_000;
    this.#maxBytes = options.maxHeldBytes ?? 64 * 1024 * 1024;
  }

  /** Returns the whole envelope when `frame` completes one; throws on a malformed frame. */
  accept(frame: Uint8Array, now: number): { envelopeId: string; envelope: Uint8Array } | undefined {
    const chunk = parseChunk(frame);
    if (chunk.count === 1) {
      if (chunk.payload.byteLength !== chunk.totalBytes) return undefined;
      return { envelopeId: chunk.envelopeId, envelope: chunk.payload };
    }
    this.#expire(now);
    const partial = this.#partialFor(chunk, now);
    if (!partial || partial.parts[chunk.index]) return undefined;
    // More than the declared size could never reassemble, and would hold more than was reserved.
    if (partial.bytes + chunk.payload.byteLength > partial.totalBytes) return undefined;
    partial.parts[chunk.index] = Buffer.from(chunk.payload);
    partial.received++;
    partial.bytes += chunk.payload.byteLength;
    if (partial.received < partial.count) return undefined;
    this.#drop(chunk.envelopeId);
    const envelope = Buffer.concat(partial.parts as Uint8Array[]);
    return envelope.byteLength === partial.totalBytes
      ? { envelopeId: chunk.envelopeId, envelope }
      : undefined;
  }

  /** Envelopes currently partly received. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  #partialFor(chunk: EnvelopeChunk, now: number): Partial | undefined {
    const existing = this.#pending.get(chunk.envelopeId);
    if (existing) {
      return existing.count === chunk.count && existing.totalBytes === chunk.totalBytes
        ? existing
        : undefined;
    }
    if (this.#heldBytes + chunk.totalBytes > this.#maxBytes) return undefined;
    const created: Partial = {
      count: chunk.count,
      totalBytes: chunk.totalBytes,
      parts: new Array(chunk.count),
      received: 0,
      bytes: 0,
      startedAt: now,
    };
    this.#pending.set(chunk.envelopeId, created);
    this.#heldBytes += chunk.totalBytes;
    return created;
  }

  #expire(now: number): void {
    for (const [id, partial] of this.#pending) {
      if (now - partial.startedAt > this.#timeoutMs) this.#drop(id);
    }
  }

  #drop(envelopeId: string): void {
    const partial = this.#pending.get(envelopeId);
    if (!partial) return;
    this.#heldBytes -= partial.totalBytes;
    this.#pending.delete(envelopeId);
  }
}
