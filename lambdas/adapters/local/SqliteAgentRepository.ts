import type { DatabaseSync } from 'node:sqlite';
import type { AgentRecord, AgentRepository, AgentStatus } from '../../core/ports.ts';

interface Row {
  agent_id: string;
  status: string;
  sealing_public_key: Uint8Array | null;
  hostname: string | null;
  created_at: number;
  registered_at: number | null;
  revoked_at: number | null;
}

/** Agents in the edge database. */
export class SqliteAgentRepository implements AgentRepository {
  readonly #get;
  readonly #put;
  readonly #list;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare('SELECT * FROM agents WHERE agent_id = ?');
    this.#put = db.prepare(
      `INSERT INTO agents (agent_id, status, sealing_public_key, hostname, created_at, registered_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (agent_id) DO UPDATE SET status = excluded.status,
         sealing_public_key = excluded.sealing_public_key, hostname = excluded.hostname,
         registered_at = excluded.registered_at, revoked_at = excluded.revoked_at`,
    );
    this.#list = db.prepare('SELECT * FROM agents ORDER BY agent_id');
  }

  async get(agentId: string): Promise<AgentRecord | undefined> {
    const row = this.#get.get(agentId) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  async put(agent: AgentRecord): Promise<void> {
    this.#put.run(
      agent.agentId,
      agent.status,
      agent.sealingPublicKey ?? null,
      agent.hostname ?? null,
      agent.createdAt,
      agent.registeredAt ?? null,
      agent.revokedAt ?? null,
    );
  }

  async list(): Promise<AgentRecord[]> {
    return (this.#list.all() as unknown as Row[]).map(toRecord);
  }
}

function toRecord(row: Row): AgentRecord {
  return {
    agentId: row.agent_id,
    status: row.status as AgentStatus,
    createdAt: row.created_at,
    ...(row.sealing_public_key ? { sealingPublicKey: new Uint8Array(row.sealing_public_key) } : {}),
    ...(row.hostname !== null ? { hostname: row.hostname } : {}),
    ...(row.registered_at !== null ? { registeredAt: row.registered_at } : {}),
    ...(row.revoked_at !== null ? { revokedAt: row.revoked_at } : {}),
  };
}
