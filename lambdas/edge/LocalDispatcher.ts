import type { SqliteEnvelopeQueue } from '../adapters/local/SqliteEnvelopeQueue.ts';
import {
  type DispatchDecision,
  type DispatchDeps,
  dispatchEnvelope,
  type PublishRecord,
  plannedPublish,
} from '../core/delivery/dispatchEnvelope.ts';
import type { EnvelopeQueue, PendingEnvelope, PendingEnvelopes, QueuedEnvelope } from '../core/ports.ts';
import { DeliveryWindow } from './DeliveryWindow.ts';

/** How often the dispatcher looks for due envelopes when nothing wakes it sooner. */
const TICK_MS = 1_000;
const BATCH = 256;
/** Envelopes read per look when refilling an agent's window. */
const REFILL_PAGE = 32;
/** What an agent holds at once by default (published, not yet acked); see DeliveryWindow. */
export const DEFAULT_DELIVERY_WINDOW = { envelopes: 512, bytes: 8 * 1024 * 1024 };

export interface LocalDispatcherOptions {
  /** What an agent holds at once; the rest waits on disk. Default `DEFAULT_DELIVERY_WINDOW`. */
  readonly window?: { readonly envelopes: number; readonly bytes?: number };
}

/**
 * The local edge's dispatcher: the same `dispatchEnvelope` step the SQS dispatcher Lambda runs, driven
 * by the SQLite queue. New envelopes go out at once (fast path); unacked ones come back when their
 * backoff is due; an agent's waiting envelopes go out as soon as it connects. Each agent holds at most a
 * window of unacked envelopes: past it, envelopes wait on disk and go out, oldest first, as acks come back
 * (IoT Core bounds an agent's unacked messages the same way on AWS).
 *
 * @example
 * const dispatcher = new LocalDispatcher(queue, deps);
 * dispatcher.start();
 */
export class LocalDispatcher {
  readonly #queue: SqliteEnvelopeQueue;
  readonly #deps: DispatchDeps;
  readonly #window: DeliveryWindow;
  readonly #inFlight = new Set<string>();
  readonly #refills = new Set<string>();
  /** Agents whose full window was logged, until they catch up. */
  readonly #behind = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #pumping = false;

  constructor(queue: SqliteEnvelopeQueue, deps: DispatchDeps, options: LocalDispatcherOptions = {}) {
    this.#queue = queue;
    this.#deps = deps;
    const window = options.window ?? DEFAULT_DELIVERY_WINDOW;
    this.#window = new DeliveryWindow(window.envelopes, window.bytes);
  }

  /** An EnvelopeQueue that stores durably first, then hands the envelope to the dispatcher at once. */
  get ingressQueue(): EnvelopeQueue {
    return {
      enqueue: async (envelope: QueuedEnvelope) => {
        if (!this.#window.admit(envelope.agentId, envelope.envelopeId, envelope.sealed.byteLength)) {
          // The agent's window is full, or older envelopes wait for it: stored due at once, it goes out
          // in its turn as acks make room.
          this.#reportBehind(envelope.agentId);
          await this.#queue.enqueue(envelope);
          this.#scheduleRefill(envelope.agentId);
          return;
        }
        const pending: PendingEnvelope = { ...envelope, sizeBytes: envelope.sealed.byteLength, attempts: 0 };
        // Stored as already published once: the publish follows at once, and when it succeeds (the agent
        // online) there is nothing left to write, so a webhook at a steady rate costs one commit, not two.
        const planned = plannedPublish(pending, this.#deps.clock.now(), this.#deps.random);
        try {
          await this.#queue.enqueue(envelope, planned);
        } catch (error) {
          this.#free(envelope.envelopeId);
          throw error;
        }
        void this.#dispatch(pending, envelope.sealed, planned);
      },
    };
  }

  /** The queue as the agents' acks see it: completing an envelope frees its place in the agent's window. */
  get ackedEnvelopes(): PendingEnvelopes {
    return {
      find: (envelopeId) => this.#queue.find(envelopeId),
      complete: (envelopeId) => this.#complete(envelopeId),
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

  /** Dispatches every due envelope whose agent has room for it (called on a timer). */
  async pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (;;) {
        // An agent with no room gets only its envelopes that hold a place (unacked and due again).
        const full = this.#window.full();
        const due = this.#queue
          .due(this.#deps.clock.now(), BATCH, full.agents, full.holding)
          .filter((d) => !this.#inFlight.has(d.pending.envelopeId));
        const placed = due.filter((d) => this.#place(d.pending));
        await Promise.all(placed.map((d) => this.#dispatch(d.pending, d.sealed)));
        if (due.length < BATCH || placed.length === 0) break;
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * The agent just connected: everything it has waiting is due now, in the order received (its last
   * session may not have had what was published to it), and goes out a window at a time.
   */
  async flush(agentId: string): Promise<void> {
    this.#window.reset(agentId);
    this.#queue.makeDue(agentId, this.#deps.clock.now());
    this.#window.markWaiting(agentId);
    await this.#refill(agentId);
  }

  /** A place in the agent's window for a due envelope; without one, it keeps waiting on disk. */
  #place(pending: PendingEnvelope): boolean {
    if (this.#window.take(pending.agentId, pending.envelopeId, pending.sizeBytes)) return true;
    this.#reportBehind(pending.agentId);
    return false;
  }

  /** Logs once that the agent's window is full (envelopes now wait on disk for it), until it catches up. */
  #reportBehind(agentId: string): void {
    if (this.#behind.has(agentId)) return;
    this.#behind.add(agentId);
    const held = this.#window.heldBy(agentId);
    this.#deps.logger.warn('delivery_window_full', {
      agentId,
      unacked: held.envelopes,
      unackedBytes: held.bytes,
      limit: this.#window.limit,
    });
  }

  /** Refills the agent's window once this turn's acks are in (one look at the queue for all of them). */
  #scheduleRefill(agentId: string): void {
    if (this.#refills.has(agentId)) return;
    this.#refills.add(agentId);
    setImmediate(() => {
      this.#refills.delete(agentId);
      void this.#refill(agentId).catch((error: unknown) => {
        this.#deps.logger.error('dispatch_failed', {
          agentId,
          error: error instanceof Error ? error.name : 'unknown',
        });
      });
    });
  }

  /**
   * Sends the agent's due envelopes, oldest first, into the room its window has. One holding a place and
   * due again (unacked past its backoff) is left to the pump, which publishes it again in its place.
   */
  async #refill(agentId: string): Promise<void> {
    const sends: Promise<void>[] = [];
    const now = this.#deps.clock.now();
    // A page at a time, as the window may run out of bytes before places. Nothing writes to the queue
    // until this loop ends (each dispatch runs only to its first await), so the pages follow on exactly.
    let seen = 0;
    for (;;) {
      if (!this.#window.hasWaiting(agentId)) break;
      const page = Math.min(this.#window.room(agentId), REFILL_PAGE);
      if (page <= 0) break;
      const due = this.#queue.dueFor(agentId, now, page, seen);
      seen += due.length;
      let full = false;
      for (const d of due) {
        if (this.#inFlight.has(d.pending.envelopeId) || this.#window.holds(d.pending.envelopeId)) continue;
        if (!this.#place(d.pending)) {
          full = true;
          break;
        }
        sends.push(this.#dispatch(d.pending, d.sealed));
      }
      if (full) break;
      if (due.length < page) {
        this.#caughtUp(agentId);
        break;
      }
    }
    await Promise.all(sends);
  }

  /** Nothing of the agent waits on disk any more: new envelopes go out at once again. */
  #caughtUp(agentId: string): void {
    this.#window.drained(agentId);
    if (this.#behind.delete(agentId)) this.#deps.logger.info('delivery_window_drained', { agentId });
  }

  async #complete(envelopeId: string): Promise<void> {
    await this.#queue.complete(envelopeId);
    this.#free(envelopeId);
  }

  /** Frees the envelope's place in its agent's window, for the next envelope waiting, if any. */
  #free(envelopeId: string): void {
    const agentId = this.#window.release(envelopeId);
    if (agentId !== undefined && this.#window.hasWaiting(agentId)) this.#scheduleRefill(agentId);
  }

  async #dispatch(pending: PendingEnvelope, sealed: Uint8Array, stored?: PublishRecord): Promise<void> {
    if (this.#inFlight.has(pending.envelopeId)) return;
    this.#inFlight.add(pending.envelopeId);
    try {
      const decision = await dispatchEnvelope(this.#deps, pending, sealed);
      // Only a published envelope holds a place until its ack; a held or failed one waits on disk.
      if (decision.action !== 'published') this.#free(pending.envelopeId);
      await this.#apply(pending, decision, stored);
    } catch (error) {
      this.#free(pending.envelopeId);
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
        return this.#complete(pending.envelopeId);
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
