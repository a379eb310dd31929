import type { DatabaseSync } from 'node:sqlite';
import type {
  DeliveryLog,
  DeliveryLogEntry,
  DeliveryLogFilter,
  DeliveryLogReader,
  DeliveryStatus,
} from '../../core/ports.ts';
import { SqliteWriteBatcher } from './SqliteWriteBatcher.ts';

interface Row {
  envelope_id: string;
  agent_id: string;
  source_id: string;
  provider: string;
  delivery_id: string;
  received_at: number;
  size_bytes: number;
  status: string;
  attempts: number;
  status_code: number | null;
  latency_ms: number | null;
  updated_at: number;
}

/** The delivery log: metadata only (never header values or bodies). */
export class SqliteDeliveryLog implements DeliveryLog, DeliveryLogReader {
  readonly #upsert;
  readonly #db: DatabaseSync;
  readonly #batch: SqliteWriteBatcher;

  constructor(db: DatabaseSync, batcher = SqliteWriteBatcher.for(db)) {
    this.#db = db;
    this.#batch = batcher;
    this.#upsert = db.prepare(
      `INSERT INTO delivery_log (envelope_id, agent_id, source_id, provider, delivery_id, received_at, size_bytes,
         status, attempts, status_code, latency_ms, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (envelope_id) DO UPDATE SET status = excluded.status, attempts = excluded.attempts,
         status_code = excluded.status_code, latency_ms = excluded.latency_ms, updated_at = excluded.updated_at`,
    );
  }

  /**
   * Deferred (see SqliteWriteBatcher.defer): metadata joins the next commit, at most 50 ms later; nothing
   * waits on the disk for it, and a steady trickle of webhooks doesn't commit once more per record.
   */
  async record(e: DeliveryLogEntry): Promise<void> {
    this.#batch.defer(() =>
      this.#upsert.run(
        e.envelopeId,
        e.agentId,
        e.sourceId,
        e.provider,
        e.deliveryId,
        e.receivedAt,
        e.sizeBytes,
        e.status,
        e.attempts,
        e.statusCode ?? null,
        e.latencyMs ?? null,
        e.updatedAt,
      ),
    );
  }

  async list(filter: DeliveryLogFilter): Promise<DeliveryLogEntry[]> {
    this.#batch.applyDeferred();
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.agentId !== undefined) where.push('agent_id = ?') && params.push(filter.agentId);
    if (filter.sourceId !== undefined) where.push('source_id = ?') && params.push(filter.sourceId);
    if (filter.status !== undefined) where.push('status = ?') && params.push(filter.status);
    if (filter.before !== undefined) where.push('received_at < ?') && params.push(filter.before);
    const sql = `SELECT * FROM delivery_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY received_at DESC LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...params, filter.limit) as unknown as Row[];
    return rows.map(toEntry);
  }
}

function toEntry(row: Row): DeliveryLogEntry {
  return {
    envelopeId: row.envelope_id,
    agentId: row.agent_id,
    sourceId: row.source_id,
    provider: row.provider,
    deliveryId: row.delivery_id,
    receivedAt: row.received_at,
    sizeBytes: row.size_bytes,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    ...(row.status_code !== null ? { statusCode: row.status_code } : {}),
    ...(row.latency_ms !== null ? { latencyMs: row.latency_ms } : {}),
    updatedAt: row.updated_at,
  };
}
