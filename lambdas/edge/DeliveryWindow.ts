/**
 * The envelopes each agent holds at once: published to it and not yet acked, at most `limit` envelopes and
 * `maxBytes` of them per agent (one envelope always fits, whatever its size). Past that an agent's
 * envelopes wait in the queue on disk and go out, oldest first, as its acks make room. So an agent that
 * falls behind, or reconnects to a long backlog, holds a window in its memory and in the broker's socket
 * buffer, not the whole backlog.
 *
 * In memory only: after a restart (or a reconnect, `reset`) every unacked envelope is due again anyway.
 *
 * @example
 * const window = new DeliveryWindow(512, 8 * 1024 * 1024);
 * if (window.admit('laptop', envelopeId, sealed.byteLength)) publishNow();
 * else storeAsWaiting(); // goes out when an ack calls window.release(...)
 */
export class DeliveryWindow {
  readonly limit: number;
  readonly maxBytes: number;
  /** Per agent: the envelopes holding a place, and their bytes. */
  readonly #held = new Map<string, { readonly ids: Set<string>; bytes: number }>();
  /** Per envelope holding a place: its agent and size. */
  readonly #placeOf = new Map<string, { readonly agentId: string; readonly bytes: number }>();
  /** Agents with envelopes waiting on disk for a place. */
  readonly #waiting = new Set<string>();

  constructor(limit: number, maxBytes = Number.POSITIVE_INFINITY) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`A delivery window holds at least 1 envelope per agent (got ${limit})`);
    }
    if (!(maxBytes >= 1)) throw new RangeError(`A delivery window holds at least 1 byte (got ${maxBytes})`);
    this.limit = limit;
    this.maxBytes = maxBytes;
  }

  /**
   * A place for a new envelope, unless the agent's window is full or older envelopes are already waiting
   * for one (a new one must not overtake them).
   */
  admit(agentId: string, envelopeId: string, bytes: number): boolean {
    return !this.#waiting.has(agentId) && this.take(agentId, envelopeId, bytes);
  }

  /**
   * A place for an envelope already waiting (or being published again): true if it holds one now. False
   * marks the agent as having envelopes waiting on disk.
   */
  take(agentId: string, envelopeId: string, bytes: number): boolean {
    if (this.#placeOf.has(envelopeId)) return true;
    let held = this.#held.get(agentId);
    if (held && (held.ids.size >= this.limit || held.bytes + bytes > this.maxBytes)) {
      this.#waiting.add(agentId);
      return false;
    }
    if (!held) {
      held = { ids: new Set(), bytes: 0 };
      this.#held.set(agentId, held);
    }
    held.ids.add(envelopeId);
    held.bytes += bytes;
    this.#placeOf.set(envelopeId, { agentId, bytes });
    return true;
  }

  /** Frees the envelope's place (acked, expired, held back or not published); its agent, if it had one. */
  release(envelopeId: string): string | undefined {
    const place = this.#placeOf.get(envelopeId);
    if (place === undefined) return undefined;
    this.#placeOf.delete(envelopeId);
    const held = this.#held.get(place.agentId);
    if (held) {
      held.ids.delete(envelopeId);
      held.bytes -= place.bytes;
      if (held.ids.size === 0) this.#held.delete(place.agentId);
    }
    return place.agentId;
  }

  /** Frees every place of the agent: a new session, in which everything unacked is sent again. */
  reset(agentId: string): void {
    for (const envelopeId of this.#held.get(agentId)?.ids ?? []) this.#placeOf.delete(envelopeId);
    this.#held.delete(agentId);
  }

  /** Free places of the agent, by count (its bytes may leave room for fewer). */
  room(agentId: string): number {
    const held = this.#held.get(agentId);
    if (!held) return this.limit;
    return held.bytes >= this.maxBytes ? 0 : this.limit - held.ids.size;
  }

  /** Envelopes holding a place of the agent, and their bytes. */
  heldBy(agentId: string): { readonly envelopes: number; readonly bytes: number } {
    const held = this.#held.get(agentId);
    return { envelopes: held?.ids.size ?? 0, bytes: held?.bytes ?? 0 };
  }

  /** True if the envelope holds a place. */
  holds(envelopeId: string): boolean {
    return this.#placeOf.has(envelopeId);
  }

  /** Agents without a free place, and the envelopes holding their places. */
  full(): { readonly agents: string[]; readonly holding: string[] } {
    const agents: string[] = [];
    const holding: string[] = [];
    for (const [agentId, held] of this.#held) {
      if (this.room(agentId) > 0) continue;
      agents.push(agentId);
      holding.push(...held.ids);
    }
    return { agents, holding };
  }

  /** Marks that the agent has envelopes waiting on disk (set by a refused `take`, or on a reconnect). */
  markWaiting(agentId: string): void {
    this.#waiting.add(agentId);
  }

  /** Nothing of the agent waits on disk any more: new envelopes may go out at once again. */
  drained(agentId: string): void {
    this.#waiting.delete(agentId);
  }

  /** True while the agent has envelopes waiting on disk for a place. */
  hasWaiting(agentId: string): boolean {
    return this.#waiting.has(agentId);
  }
}
