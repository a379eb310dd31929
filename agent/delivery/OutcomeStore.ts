import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { SqliteWriteBatcher } from '../../lambdas/adapters/local/SqliteWriteBatcher.ts';
import { ClawPulsarError } from '../../lambdas/core/errors.ts';
import { RETENTION_MS } from '../../lambdas/core/ingress/limits.ts';
import { PRIVATE_FILE_MODE } from '../home/writePrivateFile.ts';

/** The final outcome of one delivery, as acked to the edge. Metadata only. */
export interface DeliveryOutcome {
  readonly envelopeId: string;
  readonly statusCode: number;
  readonly attempts: number;
  readonly latencyMs: number;
  readonly reason?: string;
}

interface OutcomeRow {
  envelope_id: string;
  status_code: number;
  attempts: number;
  latency_ms: number;
  reason: string | null;
}

/** SQLite's "database is locked": another process holds the exclusive lock. */
const SQLITE_BUSY = 5;

/**
 * Final outcomes by delivery, in SQLite in the agent home, kept for the edge's 72 h retention window: a
 * redelivered envelope (the ack was lost, the agent restarted) is acked again from here without being
 * forwarded twice. Lookups are synchronous; writes are group-committed once per event-loop turn by
 * SqliteWriteBatcher (one transaction for every outcome recorded in that turn, an order of magnitude
 * cheaper than one each; a lookup sees an outcome as soon as it is recorded), and `record` resolves once
 * its outcome is committed, so the caller acks only what is on disk. The agent is
 * the database's only user: it holds an exclusive lock, which spares a lock round trip per transaction.
 *
 * @example
 * const known = store.find(key, now);
 * if (!known) { await store.record(key, outcome, now); ack(outcome); }
 */
export class OutcomeStore {
  readonly #db: DatabaseSync;
  readonly #find: StatementSync;
  readonly #record: StatementSync;
  readonly #purge: StatementSync;
  readonly #retentionMs: number;
  readonly #batch: SqliteWriteBatcher;

  constructor(path: string, options: { retentionMs?: number } = {}) {
    if (path !== ':memory:' && !existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
    if (path !== ':memory:') chmodSync(path, PRIVATE_FILE_MODE);
    this.#retentionMs = options.retentionMs ?? RETENTION_MS;
    this.#db = new DatabaseSync(path);
    try {
      this.#db.exec(`
      PRAGMA locking_mode = EXCLUSIVE;
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
        CREATE TABLE IF NOT EXISTS outcomes (
        delivery_key TEXT PRIMARY KEY,
        envelope_id TEXT NOT NULL,
        status_code INTEGER NOT NULL,
        attempts INTEGER NOT NULL,
        latency_ms INTEGER NOT NULL,
        reason TEXT,
        recorded_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS outcomes_recorded_at ON outcomes (recorded_at);
    `);
    } catch (cause) {
      this.#db.close();
      if ((cause as { errcode?: number }).errcode === SQLITE_BUSY) {
        throw new ClawPulsarError(
          'agent_already_running',
          `Another \`clawpulsar agent run\` is using ${path}: run one agent per agent home (stop the other, or register a second agent with --dir).`,
          409,
          { path },
          { cause },
        );
      }
      throw cause;
    }
    this.#find = this.#db.prepare(
      'SELECT envelope_id, status_code, attempts, latency_ms, reason FROM outcomes WHERE delivery_key = ? AND recorded_at > ?',
    );
    this.#record = this.#db.prepare(
      'INSERT OR REPLACE INTO outcomes (delivery_key, envelope_id, status_code, attempts, latency_ms, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#purge = this.#db.prepare('DELETE FROM outcomes WHERE recorded_at <= ?');
    this.#batch = SqliteWriteBatcher.for(this.#db);
  }

  /** The key of one provider delivery for one source. */
  static key(sourceId: string, deliveryId: string): string {
    return `${sourceId}\n${deliveryId}`;
  }

  /** The remembered outcome (committed or about to be), unless it is older than the retention window. */
  find(key: string, now: number): DeliveryOutcome | undefined {
    const row = this.#find.get(key, now - this.#retentionMs) as OutcomeRow | undefined;
    if (!row) return undefined;
    const outcome = {
      envelopeId: row.envelope_id,
      statusCode: row.status_code,
      attempts: row.attempts,
      latencyMs: row.latency_ms,
    };
    return row.reason === null ? outcome : { ...outcome, reason: row.reason };
  }

  /** Remembers an outcome; resolves once it is committed (at the end of this event-loop turn). */
  async record(key: string, outcome: DeliveryOutcome, now: number): Promise<void> {
    await this.#batch.write(() =>
      this.#record.run(
        key,
        outcome.envelopeId,
        outcome.statusCode,
        outcome.attempts,
        outcome.latencyMs,
        outcome.reason ?? null,
        now,
      ),
    );
  }

  /** Commits what `record` collected now, rather than at the end of the turn. */
  flush(): void {
    this.#batch.flush();
  }

  /** Forgets outcomes older than the retention window; returns how many. */
  purge(now: number): number {
    this.flush();
    return Number(this.#purge.run(now - this.#retentionMs).changes);
  }

  /** Commits what is pending and closes the database. */
  close(): void {
    if (!this.#db.isOpen) return;
    this.flush();
    this.#db.close();
  }
}
