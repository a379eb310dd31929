import type { DatabaseSync } from 'node:sqlite';
import type {
  RegistrationTokenRecord,
  RegistrationTokenStore,
} from '../../core/identity/RegistrationTokenStore.ts';

/** Registration tokens by SHA-256; consumed in one `DELETE … RETURNING`, so twice is impossible. */
export class SqliteRegistrationTokenStore implements RegistrationTokenStore {
  readonly #put;
  readonly #consume;

  constructor(db: DatabaseSync) {
    this.#put = db.prepare(
      'INSERT INTO registration_tokens (token_hash, record, expires_at) VALUES (?, ?, ?)',
    );
    this.#consume = db.prepare(
      'DELETE FROM registration_tokens WHERE token_hash = ? AND expires_at > ? RETURNING record',
    );
  }

  async put(tokenHash: string, record: RegistrationTokenRecord): Promise<void> {
    this.#put.run(tokenHash, JSON.stringify(record), record.expiresAt);
  }

  async consume(tokenHash: string, now: number): Promise<RegistrationTokenRecord | undefined> {
    const row = this.#consume.get(tokenHash, now) as { record: string } | undefined;
    return row ? (JSON.parse(row.record) as RegistrationTokenRecord) : undefined;
  }
}
