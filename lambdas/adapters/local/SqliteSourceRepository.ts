import type { DatabaseSync } from 'node:sqlite';
import type { SourceRepository, StoredSource } from '../../core/ports.ts';

interface Row {
  agent_id: string;
  source_id: string;
  provider: string;
  secrets_ciphertext: Uint8Array;
  secret_fingerprints: string;
  has_verify_token: number;
  options: string;
  created_at: number;
  updated_at: number;
}

/** Sources: secrets only as KeyCustody ciphertext. */
export class SqliteSourceRepository implements SourceRepository {
  readonly #get;
  readonly #put;
  readonly #delete;
  readonly #list;
  readonly #listAgent;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare('SELECT * FROM sources WHERE agent_id = ? AND source_id = ?');
    this.#put = db.prepare(
      `INSERT INTO sources (agent_id, source_id, provider, secrets_ciphertext, secret_fingerprints,
         has_verify_token, options, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (agent_id, source_id) DO UPDATE SET provider = excluded.provider,
         secrets_ciphertext = excluded.secrets_ciphertext, secret_fingerprints = excluded.secret_fingerprints,
         has_verify_token = excluded.has_verify_token, options = excluded.options, updated_at = excluded.updated_at`,
    );
    this.#delete = db.prepare('DELETE FROM sources WHERE agent_id = ? AND source_id = ?');
    this.#list = db.prepare('SELECT * FROM sources ORDER BY agent_id, source_id');
    this.#listAgent = db.prepare('SELECT * FROM sources WHERE agent_id = ? ORDER BY source_id');
  }

  async get(agentId: string, sourceId: string): Promise<StoredSource | undefined> {
    const row = this.#get.get(agentId, sourceId) as Row | undefined;
    return row ? toSource(row) : undefined;
  }

  async put(s: StoredSource): Promise<void> {
    this.#put.run(
      s.agentId,
      s.sourceId,
      s.provider,
      s.secretsCiphertext,
      JSON.stringify(s.secretFingerprints),
      s.hasVerifyToken ? 1 : 0,
      JSON.stringify(s.options),
      s.createdAt,
      s.updatedAt,
    );
  }

  async delete(agentId: string, sourceId: string): Promise<boolean> {
    return Number(this.#delete.run(agentId, sourceId).changes) > 0;
  }

  async list(agentId?: string): Promise<StoredSource[]> {
    const rows = (agentId === undefined
      ? this.#list.all()
      : this.#listAgent.all(agentId)) as unknown as Row[];
    return rows.map(toSource);
  }
}

function toSource(row: Row): StoredSource {
  return {
    agentId: row.agent_id,
    sourceId: row.source_id,
    provider: row.provider,
    secretsCiphertext: new Uint8Array(row.secrets_ciphertext),
    secretFingerprints: JSON.parse(row.secret_fingerprints) as string[],
    hasVerifyToken: row.has_verify_token === 1,
    options: JSON.parse(row.options) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
