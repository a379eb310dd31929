import type { DatabaseSync } from 'node:sqlite';
import type { Clock, DedupeStore } from '../../core/ports.ts';
import { SqliteWriteBatcher } from './SqliteWriteBatcher.ts';

/** Provider delivery ids seen in the last 72 h. Expired claims are ignored and swept. */
export class SqliteDedupeStore implements DedupeStore {
  readonly #claim;
  readonly #release;
  readonly #sweep;
  readonly #clock: Clock;
  readonly #batch: SqliteWriteBatcher;

  constructor(db: DatabaseSync, clock: Clock, batcher = SqliteWriteBatcher.for(db)) {
    this.#clock = clock;
    this.#batch = batcher;
    // One statement: insert, or take over a claim whose time has passed. The count of rows it changed
    // tells which happened (0: a live claim holds the key); a RETURNING clause would tell the same at
    // about a third more per claim, measured on a WAL database.
    this.#claim = db.prepare(
      `INSERT INTO dedupe (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at WHERE dedupe.expires_at <= ?`,
    );
    this.#release = db.prepare('DELETE FROM dedupe WHERE key = ?');
    this.#sweep = db.prepare('DELETE FROM dedupe WHERE expires_at <= ?');
  }

  /**
   * Staged, not awaited: the claim commits with the envelope the caller enqueues next (same batch), so a
   * crash can't leave the delivery id claimed with no envelope behind it.
   */
  async claim(key: string, expiresAtMs: number): Promise<boolean> {
    return this.#batch.stage(() => this.#claim.run(key, expiresAtMs, this.#clock.now()).changes === 1);
  }

  async release(key: string): Promise<void> {
    await this.#batch.write(() => this.#release.run(key));
  }

  /** Deletes expired claims; returns how many. */
  sweep(): number {
    return Number(this.#sweep.run(this.#clock.now()).changes);
  }
}
