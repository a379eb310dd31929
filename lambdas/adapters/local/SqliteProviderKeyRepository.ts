import type { DatabaseSync } from 'node:sqlite';
import * as z from 'zod';
import type {
  KeyPollState,
  ProviderKeyRepository,
  StoredProviderKey,
} from '../../core/keys/ProviderKeyRepository.ts';
import type { UsageProviderId } from '../../core/usage/SpendReport.ts';

interface Row {
  key_id: string;
  provider: string;
  label: string;
  base_url: string | null;
  ciphertext: Uint8Array;
  fingerprint: string;
  last4: string;
  simulated: number;
  created_at: number;
  updated_at: number;
  poll: string | null;
}

const pollSchema = z.object({
  lastPolledAt: z.number(),
  ok: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  coveredFrom: z.string().optional(),
});

/**
 * The key vault on the local edge: provider keys only as KeyCustody ciphertext. "Deleted means gone": the
 * database runs with `secure_delete` (freed pages are zeroed) and, after a delete or a rotation, the WAL
 * is checkpointed and truncated so no older page image holding the ciphertext stays in it.
 *
 * @example
 * const keys = new SqliteProviderKeyRepository(db);
 */
export class SqliteProviderKeyRepository implements ProviderKeyRepository {
  readonly #db: DatabaseSync;
  readonly #get;
  readonly #put;
  readonly #poll;
  readonly #delete;
  readonly #list;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#get = db.prepare('SELECT * FROM provider_keys WHERE key_id = ?');
    this.#put = db.prepare(
      `INSERT INTO provider_keys (key_id, provider, label, base_url, ciphertext, fingerprint, last4, simulated,
         created_at, updated_at, poll) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
       ON CONFLICT (key_id) DO UPDATE SET label = excluded.label, base_url = excluded.base_url,
         ciphertext = excluded.ciphertext, fingerprint = excluded.fingerprint, last4 = excluded.last4,
         updated_at = excluded.updated_at`,
    );
    this.#poll = db.prepare('UPDATE provider_keys SET poll = ? WHERE key_id = ?');
    this.#delete = db.prepare('DELETE FROM provider_keys WHERE key_id = ?');
    this.#list = db.prepare('SELECT * FROM provider_keys ORDER BY created_at, key_id');
  }

  async get(keyId: string): Promise<StoredProviderKey | undefined> {
    const row = this.#get.get(keyId) as Row | undefined;
    return row ? toKey(row) : undefined;
  }

  async put(key: StoredProviderKey): Promise<void> {
    this.#put.run(
      key.keyId,
      key.provider,
      key.label,
      key.baseUrl ?? null,
      key.ciphertext,
      key.fingerprint,
      key.last4,
      key.simulated ? 1 : 0,
      key.createdAt,
      key.updatedAt,
    );
    // A rotation leaves the old ciphertext's page image in the WAL until it is checkpointed.
    this.#truncateWal();
  }

  async recordPoll(keyId: string, state: KeyPollState): Promise<boolean> {
    return Number(this.#poll.run(JSON.stringify(state), keyId).changes) > 0;
  }

  async delete(keyId: string): Promise<boolean> {
    const deleted = Number(this.#delete.run(keyId).changes) > 0;
    if (deleted) this.#truncateWal();
    return deleted;
  }

  async list(): Promise<StoredProviderKey[]> {
    return (this.#list.all() as unknown as Row[]).map(toKey);
  }

  /** Moves every WAL frame into the (secure-deleting) database file and empties the WAL. */
  #truncateWal(): void {
    // A checkpoint can't complete inside an open transaction (a batch of writes): try again after it.
    if (this.#db.isTransaction) {
      setImmediate(() => this.#truncateWal());
      return;
    }
    this.#db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }
}

function toKey(row: Row): StoredProviderKey {
  return {
    keyId: row.key_id,
    provider: row.provider as UsageProviderId,
    label: row.label,
    ...(row.base_url !== null ? { baseUrl: row.base_url } : {}),
    ciphertext: new Uint8Array(row.ciphertext),
    fingerprint: row.fingerprint,
    last4: row.last4,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.poll !== null ? { poll: pollSchema.parse(JSON.parse(row.poll)) } : {}),
    ...(row.simulated === 1 ? { simulated: true } : {}),
  };
}
