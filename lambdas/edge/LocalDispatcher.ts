import type { SqliteEnvelopeQueue } from '../adapters/local/SqliteEnvelopeQueue.ts';
import {
  type DispatchDecision,
  type DispatchDeps,
  dispatchEnvelope,
} from '../core/delivery/dispatchEnvelope.ts';
import type { EnvelopeQueue, PendingEnvelope, QueuedEnvelope } from '../core/ports.ts';

/** How often the dispatcher looks for due envelopes when nothing wakes it sooner. */
const TICK_MS = 1_000;
const BATCH = 256;

/**
 * The local edge's dispatcher: the same `dispatchEnvelope` step the SQS dispatcher Lambda runs, driven
 * by the SQLite queue. New envelopes go out at once (fast path); unacked ones come back when their
 * backoff is due; an agent's waiting envelopes go out as soon as it connects.
 *
 * @example
 * const dispatcher = new LocalDispatcher(queue, deps);
 * dispatcher.start();
 */
export class LocalDispatcher {
  readonly #queue: SqliteEnvelopeQueue;
  readonly #deps: DispatchDeps;
  readonly #inFlight = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #pumping = false;

  constructor(queue: SqliteEnvelopeQueue, deps: DispatchDeps) {
    this.#queue = queue;
    this.#deps = deps;
  }

  /** An EnvelopeQueue that stores durably first, then hands the envelope to the dispatcher at once. */
  get ingressQueue(): EnvelopeQueue {
    return {
      enqueue: async (envelope: QueuedEnvelope) => {
        await this.#queue.enqueue(envelope);
        const pending: PendingEnvelope = { ...envelope, sizeBytes: envelope.sealed.byteLength, attempts: 0 };
        void this.#dispatch(pending, envelope.sealed);
      },
    };
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.pump(), TICK_MS);
    this.#timer.unref();
    void this.pump();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Dispatches every due envelope (called on a timer). */
  async pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (;;) {
        const due = this.#queue
          .due(this.#deps.clock.now(), BATCH)
          .filter((d) => !this.#inFlight.has(d.pending.envelopeId));
        if (due.length === 0) break;
        await Promise.all(due.map((d) => this.#dispatch(d.pending, d.sealed)));
        if (due.length < BATCH) break;
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** Sends an agent's waiting envelopes now (it just connected). */
  async flush(agentId: string): Promise<void> {
    for (;;) {
      const waiting = this.#queue
        .forAgent(agentId, BATCH)
        .filter((d) => !this.#inFlight.has(d.pending.envelopeId));
      if (waiting.length === 0) return;
      await Promise.all(waiting.map((d) => this.#dispatch(d.pending, d.sealed)));
      if (waiting.length < BATCH) return;
    }
  }

  async #dispatch(pending: PendingEnvelope, sealed: Uint8Array): Promise<void> {
    if (this.#inFlight.has(pending.envelopeId)) return;
    this.#inFlight.add(pending.envelopeId);
    try {
      await this.#apply(pending, await dispatchEnvelope(this.#deps, pending, sealed));
    } catch (error) {
      this.#deps.logger.error('dispatch_failed', {
        envelopeId: pending.envelopeId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    } finally {
      this.#inFlight.delete(pending.envelopeId);
    }
  }

  async #apply(pending: PendingEnvelope, decision: DispatchDecision): Promise<unknown> {
    switch (decision.action) {
      case 'expire':
        return this.#queue.complete(pending.envelopeId);
      case 'published':
        return this.#queue.reschedule(pending.envelopeId, decision.attempts, decision.retryAt);
      case 'hold':
      case 'retry':
        return this.#queue.reschedule(pending.envelopeId, pending.attempts, decision.retryAt);
    }
  }
}
