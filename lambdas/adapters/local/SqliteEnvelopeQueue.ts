import type { DatabaseSync } from 'node:sqlite';
import type { PublishRecord } from '../../core/delivery/dispatchEnvelope.ts';
import type { EnvelopeQueue, PendingEnvelope, PendingEnvelopes, QueuedEnvelope } from '../../core/ports.ts';
import { SqliteWriteBatcher } from './SqliteWriteBatcher.ts';

interface Row {
  envelope_id: string;
  agent_id: string;
  source_id: string;
  delivery_id: string;
  provider: string;
  received_at: number;
  size_bytes: number;
  attempts: number;
  next_attempt_at: number;
}

/** A waiting envelope with its sealed bytes, as the dispatcher loop reads it. */
export interface DueEnvelope {
  readonly pending: PendingEnvelope;
  readonly sealed: Uint8Array;
}

/**
 * The local durable queue: a row per sealed envelope until its agent acks it or 72 h pass. It is the
 * local counterpart of the SQS queue: `next_attempt_at` plays the part of the visibility timeout.
 */
export class SqliteEnvelopeQueue implements EnvelopeQueue, PendingEnvelopes {
  readonly #insert;
  readonly #find;
  readonly #delete;
  readonly #reschedule;
  readonly #due;
  readonly #dueFor;
  readonly #makeDue;
  readonly #sealed;
  readonly #count;
  readonly #nextDue;
  readonly #batch: SqliteWriteBatcher;
  /** Completed envelopes whose delete is deferred to the next commit. */
  readonly #completing = new Set<string>();

  constructor(db: DatabaseSync, batcher = SqliteWriteBatcher.for(db)) {
    this.#batch = batcher;
    this.#insert = db.prepare(
      `INSERT INTO envelopes (envelope_id, agent_id, source_id, delivery_id, provider, received_at, size_bytes,
         sealed, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const columns =
      'envelope_id, agent_id, source_id, delivery_id, provider, received_at, size_bytes, attempts, next_attempt_at';
    this.#find = db.prepare(`SELECT ${columns} FROM envelopes WHERE envelope_id = ?`);
    this.#delete = db.prepare('DELETE FROM envelopes WHERE envelope_id = ?');
    this.#reschedule = db.prepare(
      'UPDATE envelopes SET attempts = ?, next_attempt_at = ? WHERE envelope_id = ?',
    );
    this.#due = db.prepare(
      `SELECT ${columns}, sealed FROM envelopes WHERE next_attempt_at <= ?
         AND (agent_id NOT IN (SELECT value FROM json_each(?)) OR envelope_id IN (SELECT value FROM json_each(?)))
         ORDER BY next_attempt_at LIMIT ?`,
    );
    this.#dueFor = db.prepare(
      `SELECT ${columns}, sealed FROM envelopes WHERE agent_id = ? AND next_attempt_at <= ?
         ORDER BY next_attempt_at LIMIT ? OFFSET ?`,
    );
    this.#makeDue = db.prepare(
      'UPDATE envelopes SET next_attempt_at = received_at WHERE agent_id = ? AND next_attempt_at > ?',
    );
    this.#sealed = db.prepare('SELECT sealed FROM envelopes WHERE envelope_id = ?');
    this.#count = db.prepare('SELECT count(*) AS n FROM envelopes');
    this.#nextDue = db.prepare('SELECT min(next_attempt_at) AS at FROM envelopes');
  }

  /**
   * Stores a new envelope, due at once with no attempt yet; or, given the record of the publish about to
   * be made (`plannedPublish`), already counted as published once and due after that attempt's backoff.
   */
  async enqueue(e: QueuedEnvelope, published?: PublishRecord): Promise<void> {
    await this.#batch.write(() =>
      this.#insert.run(
        e.envelopeId,
        e.agentId,
        e.sourceId,
        e.deliveryId,
        e.provider,
        e.receivedAt,
        e.sealed.byteLength,
        e.sealed,
        published?.attempts ?? 0,
        published?.retryAt ?? e.receivedAt,
      ),
    );
  }

  /** A pending envelope; not one completed, even while its delete is still deferred. */
  async find(envelopeId: string): Promise<PendingEnvelope | undefined> {
    if (this.#completing.has(envelopeId)) return undefined;
    const row = this.#find.get(envelopeId) as Row | undefined;
    return row ? toPending(row) : undefined;
  }

  /**
   * Deferred (see SqliteWriteBatcher.defer): the delete joins the next commit. If a crash loses it, the
   * envelope comes back after its backoff and the agent, which remembers the delivery, acks it again.
   */
  async complete(envelopeId: string): Promise<void> {
    if (this.#completing.has(envelopeId)) return;
    this.#completing.add(envelopeId);
    this.#batch.defer(() => {
      this.#completing.delete(envelopeId);
      this.#delete.run(envelopeId);
    });
  }

  /**
   * Records a publish (or a hold) and when to look at the envelope again. Staged: if a crash loses it,
   * the envelope is only offered again sooner, and the agent dedupes it.
   */
  async reschedule(envelopeId: string, attempts: number, nextAttemptAt: number): Promise<void> {
    this.#batch.stage(() => this.#reschedule.run(attempts, nextAttemptAt, envelopeId));
  }

  /**
   * Envelopes whose next attempt is due, the longest due first; of the agents in `except`, only the
   * envelopes in `butFor` (an agent with no room left gets only what already holds a place).
   */
  due(
    now: number,
    limit: number,
    except: readonly string[] = [],
    butFor: readonly string[] = [],
  ): DueEnvelope[] {
    this.#batch.applyDeferred();
    const rows = this.#due.all(now, JSON.stringify(except), JSON.stringify(butFor), limit);
    return (rows as unknown as (Row & { sealed: Uint8Array })[]).map(toDue);
  }

  /** One agent's envelopes whose next attempt is due, the longest due first, from the `skip`-th on. */
  dueFor(agentId: string, now: number, limit: number, skip = 0): DueEnvelope[] {
    this.#batch.applyDeferred();
    const rows = this.#dueFor.all(agentId, now, limit, skip);
    return (rows as unknown as (Row & { sealed: Uint8Array })[]).map(toDue);
  }

  /**
   * Makes every envelope of the agent due now (it just connected, and may not have what was published to
   * its last session): one not yet due becomes due as of its receipt, so the agent's backlog goes out
   * about in the order received. Staged, like `reschedule`.
   */
  makeDue(agentId: string, now: number): void {
    this.#batch.stage(() => this.#makeDue.run(agentId, now));
  }

  /** The sealed bytes of one envelope. */
  sealedOf(envelopeId: string): Uint8Array | undefined {
    this.#batch.applyDeferred();
    const row = this.#sealed.get(envelopeId) as { sealed: Uint8Array } | undefined;
    return row?.sealed;
  }

  /** How many envelopes are waiting. */
  size(): number {
    this.#batch.applyDeferred();
    return Number((this.#count.get() as { n: number }).n);
  }

  /** The earliest next attempt, or undefined when the queue is empty. */
  nextDueAt(): number | undefined {
    this.#batch.applyDeferred();
    const at = (this.#nextDue.get() as { at: number | null }).at;
    return at === null ? undefined : at;
  }
}

function toPending(row: Row): PendingEnvelope {
  return {
    envelopeId: row.envelope_id,
    agentId: row.agent_id,
    sourceId: row.source_id,
    deliveryId: row.delivery_id,
    provider: row.provider,
    receivedAt: row.received_at,
    sizeBytes: row.size_bytes,
    attempts: row.attempts,
  };
}

function toDue(row: Row & { sealed: Uint8Array }): DueEnvelope {
  return { pending: toPending(row), sealed: row.sealed };
}
