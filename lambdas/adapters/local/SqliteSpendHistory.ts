import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type {
  DailySpendRecord,
  HistoryFilter,
  HistoryQuery,
  SpendHistory,
} from '../../core/monitor/ports.ts';
import type { UsageProviderId } from '../../core/usage/SpendReport.ts';

interface Row {
  key_id: string;
  date: string;
  provider: string;
  amount_micros: number;
  reading_micros: number | null;
  reading_at: number | null;
  updated_at: number;
  expires_at: number;
}

/**
 * Daily spend aggregates per (key, UTC date) on the local edge, kept 90 days: reads skip expired rows
 * and `sweep` deletes them. No request-level data ever reaches this table.
 *
 * @example
 * const history = new SqliteSpendHistory(db);
 */
export class SqliteSpendHistory implements SpendHistory {
  readonly #db: DatabaseSync;
  readonly #upsert: StatementSync;
  readonly #latest: StatementSync;
  readonly #list: StatementSync;
  readonly #sweep: StatementSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#upsert = db.prepare(
      `INSERT INTO spend_daily (key_id, date, provider, amount_micros, reading_micros, reading_at, updated_at,
         expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key_id, date) DO UPDATE SET provider = excluded.provider,
         amount_micros = excluded.amount_micros, reading_micros = excluded.reading_micros,
         reading_at = excluded.reading_at, updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
    );
    this.#latest = db.prepare(
      `SELECT * FROM spend_daily WHERE key_id = ? AND reading_at IS NOT NULL AND expires_at > ?
       ORDER BY date DESC LIMIT 1`,
    );
    // One statement for every query shape: a NULL parameter switches its condition off.
    this.#list = db.prepare(
      `SELECT * FROM spend_daily WHERE expires_at > ?
         AND (?2 IS NULL OR date >= ?2) AND (?3 IS NULL OR date <= ?3) AND (?4 IS NULL OR provider = ?4)
         AND (?5 IS NULL OR key_id IN (SELECT value FROM json_each(?5)))
       ORDER BY date, provider, key_id`,
    );
    this.#sweep = db.prepare('DELETE FROM spend_daily WHERE expires_at <= ?');
  }

  async upsert(records: readonly DailySpendRecord[]): Promise<void> {
    // Each row is whole and rewritten by every poll, so rows need no transaction of their own (and the
    // connection's write batcher may already hold one open).
    for (const record of records) this.#write(record);
  }

  async latestReading(keyId: string, nowMs: number): Promise<DailySpendRecord | undefined> {
    const row = this.#latest.get(keyId, nowMs) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  async applyReading(
    record: DailySpendRecord,
    expected: { readonly date: string; readonly atMs: number } | null,
  ): Promise<boolean> {
    // Read, compare and write run synchronously on the edge's one connection: nothing can interleave.
    const latest = this.#latest.get(record.keyId, record.updatedAt) as Row | undefined;
    const unchanged =
      latest === undefined
        ? expected === null
        : expected !== null && latest.date === expected.date && latest.reading_at === expected.atMs;
    if (unchanged) this.#write(record);
    return unchanged;
  }

  async list(query: HistoryQuery, nowMs: number): Promise<DailySpendRecord[]> {
    const rows = this.#list.all(
      nowMs,
      query.from ?? null,
      query.to ?? null,
      query.provider ?? null,
      query.keyIds ? JSON.stringify(query.keyIds) : null,
    ) as unknown as Row[];
    return rows.map(toRecord);
  }

  async delete(filter: HistoryFilter): Promise<number> {
    const conditions: string[] = [];
    const values: string[] = [];
    if (filter.provider !== undefined) {
      conditions.push('provider = ?');
      values.push(filter.provider);
    }
    if (filter.keyId !== undefined) {
      conditions.push('key_id = ?');
      values.push(filter.keyId);
    }
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    return Number(this.#db.prepare(`DELETE FROM spend_daily${where}`).run(...values).changes);
  }

  /** Deletes expired rows; returns how many. */
  sweep(nowMs: number): number {
    return Number(this.#sweep.run(nowMs).changes);
  }

  #write(record: DailySpendRecord): void {
    this.#upsert.run(
      record.keyId,
      record.date,
      record.provider,
      record.amountMicros,
      record.reading?.valueMicros ?? null,
      record.reading?.atMs ?? null,
      record.updatedAt,
      record.expiresAt,
    );
  }
}

function toRecord(row: Row): DailySpendRecord {
  return {
    provider: row.provider as UsageProviderId,
    keyId: row.key_id,
    date: row.date,
    amountMicros: row.amount_micros,
    ...(row.reading_micros !== null && row.reading_at !== null
      ? { reading: { valueMicros: row.reading_micros, atMs: row.reading_at } }
      : {}),
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
  };
}
