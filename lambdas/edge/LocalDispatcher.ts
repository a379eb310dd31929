import type { SqliteEnvelopeQueue } from '../adapters/local/SqliteEnvelopeQueue.ts';
import {
  type DispatchDecision,
  type DispatchDeps,
  dispatchEnvelope,
  type PublishRecord,
  plannedPublish,
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
        const pending: PendingEnvelope = { ...envelope, sizeBytes: envelope.sealed.byteLength, attempts: 0 };
        // Stored as already published once: the publish follows at once, and when it succeeds (the agent
        // online) there is nothing left to write, so a webhook at a steady rate costs one commit, not two.
        const planned = plannedPublish(pending, this.#deps.clock.now(), this.#deps.random);
        await this.#queue.enqueue(envelope, planned);
        void this.#dispatch(pending, envelope.sealed, planned);
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

  async #dispatch(pending: PendingEnvelope, sealed: Uint8Array, stored?: PublishRecord): Promise<void> {
    if (this.#inFlight.has(pending.envelopeId)) return;
    this.#inFlight.add(pending.envelopeId);
    try {
      await this.#apply(pending, await dispatchEnvelope(this.#deps, pending, sealed), stored);
    } catch (error) {
      this.#deps.logger.error('dispatch_failed', {
        envelopeId: pending.envelopeId,
        error: error instanceof Error ? error.name : 'unknown',
      });
    } finally {
      this.#inFlight.delete(pending.envelopeId);
    }
  }

  /** Records the decision, unless `stored` (written with the envelope) already says what it says. */
  async #apply(
    pending: PendingEnvelope,
    decision: DispatchDecision,
    stored?: PublishRecord,
  ): Promise<unknown> {
    switch (decision.action) {
      case 'expire':
        return this.#queue.complete(pending.envelopeId);
      case 'published':
        // Published as planned: the stored look-again time stands (it differs from this one by its jitter only).
        if (stored?.attempts === decision.attempts) return undefined;
        return this.#queue.reschedule(pending.envelopeId, decision.attempts, decision.retryAt);
      case 'hold':
      case 'retry':
        return this.#queue.reschedule(pending.envelopeId, pending.attempts, decision.retryAt);
    }
  }
}
