import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
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

/**
 * Final outcomes by delivery, in SQLite in the agent home, kept for the edge's 72 h retention window: a
 * redelivered envelope (the ack was lost, the agent restarted) is acked again from here without being
 * forwarded twice. Synchronous on purpose: a lookup is a few microseconds on the hot path.
 *
 * @example
 * const known = store.find(key) ?? (await forward());
 */
export class OutcomeStore {
  readonly #db: DatabaseSync;
  readonly #find: StatementSync;
  readonly #record: StatementSync;
  readonly #purge: StatementSync;
  readonly #retentionMs: number;

  constructor(path: string, options: { retentionMs?: number } = {}) {
    if (path !== ':memory:' && !existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
    if (path !== ':memory:') chmodSync(path, PRIVATE_FILE_MODE);
    this.#retentionMs = options.retentionMs ?? RETENTION_MS;
    this.#db = new DatabaseSync(path);
    this.#db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      PRAGMA busy_timeout = 5000;
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
    this.#find = this.#db.prepare(
      'SELECT envelope_id, status_code, attempts, latency_ms, reason FROM outcomes WHERE delivery_key = ? AND recorded_at > ?',
    );
    this.#record = this.#db.prepare(
      'INSERT OR REPLACE INTO outcomes (delivery_key, envelope_id, status_code, attempts, latency_ms, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#purge = this.#db.prepare('DELETE FROM outcomes WHERE recorded_at <= ?');
  }

  /** The key of one provider delivery for one source. */
  static key(sourceId: string, deliveryId: string): string {
    return `${sourceId}\n${deliveryId}`;
  }

  /** The remembered outcome, unless it is older than the retention window. */
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

  record(key: string, outcome: DeliveryOutcome, now: number): void {
    this.#record.run(
      key,
      outcome.envelopeId,
      outcome.statusCode,
      outcome.attempts,
      outcome.latencyMs,
      outcome.reason ?? null,
      now,
    );
  }

  /** Forgets outcomes older than the retention window; returns how many. */
  purge(now: number): number {
    return Number(this.#purge.run(now - this.#retentionMs).changes);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
