import type { DatabaseSync } from 'node:sqlite';
import type { AlertRecord, BudgetAlertStore } from '../../core/monitor/ports.ts';
import type { Clock } from '../../core/ports.ts';

/**
 * The alert ledger on the local edge: one row per alert key, claimed atomically before an alert is sent
 * (so it fires once, across restarts too), then completed with what was sent. Expired claims are ignored
 * and swept.
 *
 * @example
 * const alerts = new SqliteBudgetAlertStore(db, clock);
 */
export class SqliteBudgetAlertStore implements BudgetAlertStore {
  readonly #clock: Clock;
  readonly #claim;
  readonly #release;
  readonly #record;
  readonly #list;
  readonly #sweep;

  constructor(db: DatabaseSync, clock: Clock) {
    this.#clock = clock;
    this.#claim = db.prepare(
      `INSERT INTO budget_alerts (alert_key, expires_at) VALUES (?, ?)
       ON CONFLICT (alert_key) DO UPDATE SET expires_at = excluded.expires_at, budget_id = NULL, sent_at = NULL,
         record = NULL WHERE budget_alerts.expires_at <= ?
       RETURNING alert_key`,
    );
    this.#release = db.prepare('DELETE FROM budget_alerts WHERE alert_key = ?');
    this.#record = db.prepare(
      'UPDATE budget_alerts SET budget_id = ?, sent_at = ?, record = ?, expires_at = ? WHERE alert_key = ?',
    );
    this.#list = db.prepare(
      `SELECT record FROM budget_alerts WHERE budget_id = ? AND record IS NOT NULL AND expires_at > ?
       ORDER BY sent_at DESC LIMIT ?`,
    );
    this.#sweep = db.prepare('DELETE FROM budget_alerts WHERE expires_at <= ?');
  }

  async claim(key: string, expiresAtMs: number): Promise<boolean> {
    return this.#claim.get(key, expiresAtMs, this.#clock.now()) !== undefined;
  }

  async release(key: string): Promise<void> {
    this.#release.run(key);
  }

  async record(entry: AlertRecord): Promise<void> {
    this.#record.run(entry.budgetId, entry.sentAt, JSON.stringify(entry), entry.expiresAt, entry.key);
  }

  async list(budgetId: string, limit: number, nowMs: number): Promise<AlertRecord[]> {
    const rows = this.#list.all(budgetId, nowMs, limit) as { record: string }[];
    return rows.map((row) => JSON.parse(row.record) as AlertRecord);
  }

  /** Deletes expired claims and records; returns how many. */
  sweep(): number {
    return Number(this.#sweep.run(this.#clock.now()).changes);
  }
}
