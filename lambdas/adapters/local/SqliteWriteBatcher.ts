import type { DatabaseSync } from 'node:sqlite';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The longest a deferred write waits for a batch to join before it opens one of its own. */
export const DEFER_MS = 50;

/**
 * Group commit for the edge database. A commit costs far more than a statement (a WAL write each), so
 * writes that arrive in the same turn of the event loop share one transaction: each write runs at once
 * inside the open transaction (so later reads on this connection see it), and its promise settles only
 * after the COMMIT — a webhook is still answered 2xx only once its envelope is on disk.
 *
 * @example
 * const claimed = await batcher.write(() => claimStatement.get(key, expiresAt, now) !== undefined);
 */
export class SqliteWriteBatcher {
  static readonly #byDatabase = new WeakMap<DatabaseSync, SqliteWriteBatcher>();
  readonly #db: DatabaseSync;
  #open = false;
  #waiters: Waiter[] = [];
  #afterCommit: (() => void) | undefined;
  #deferred: (() => unknown)[] = [];
  #deferTimer: NodeJS.Timeout | undefined;
  #onDeferredError: ((error: unknown) => void) | undefined;

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** The one batcher of a connection: every adapter on it must share it (one transaction at a time). */
  static for(db: DatabaseSync): SqliteWriteBatcher {
    let batcher = SqliteWriteBatcher.#byDatabase.get(db);
    if (!batcher) {
      batcher = new SqliteWriteBatcher(db);
      SqliteWriteBatcher.#byDatabase.set(db, batcher);
    }
    return batcher;
  }

  /** Runs `statement` in the current batch; resolves with its result once the batch is committed. */
  write<T>(statement: () => T): Promise<T> {
    let result: T;
    try {
      result = this.stage(statement);
    } catch (error) {
      // A failed statement is undone by SQLite on its own; the rest of the batch stands.
      return Promise.reject(error);
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiters.push({ resolve: () => resolve(result), reject });
    });
  }

  /**
   * Runs `statement` in the current batch and returns its result at once, without waiting for the
   * COMMIT: for a write whose durability may ride on a later one. The ingress stages its dedupe claim
   * and then awaits the envelope's `write` in the same turn, so claim and envelope commit together or not
   * at all (a crash between two commits can't leave a claimed delivery id without its envelope), and
   * metadata (delivery log, dispatch bookkeeping) goes out with whichever commit comes next. A staged
   * write is rolled back with its batch if the COMMIT fails, like every write of that batch.
   *
   * @example
   * const claimed = batcher.stage(() => claimStatement.get(key, expiresAt, now) !== undefined);
   */
  stage<T>(statement: () => T): T {
    this.#begin();
    return statement();
  }

  /**
   * Runs `statement` at the start of the next batch that opens for a write of its own, or within
   * `DEFER_MS` if none does, and returns at once: for writes that nothing reads back soon and whose loss in
   * a crash only repeats work — the delivery log's records and the completion of an acked envelope (lost,
   * the envelope is delivered again and the agent answers from its own record of the delivery). At a
   * steady rate each of these would otherwise open a batch, and so a commit, of its own: a WAL append of
   * every page it touched. A statement that throws is skipped and reported to `onDeferredError`.
   *
   * @example
   * batcher.defer(() => deleteStatement.run(envelopeId));
   */
  defer(statement: () => unknown): void {
    if (this.#open) {
      this.#runDeferred(statement);
      return;
    }
    this.#deferred.push(statement);
    if (this.#deferTimer === undefined) {
      this.#deferTimer = setTimeout(() => {
        this.#deferTimer = undefined;
        // Closed without a flush: what was deferred goes with the connection, as a staged write would.
        if (this.#deferred.length > 0 && this.#db.isOpen) this.#begin();
      }, DEFER_MS);
      this.#deferTimer.unref();
    }
  }

  /**
   * Runs the deferred writes now, in the open batch or a new one, so that a read on this connection sees
   * them (committed with that batch, at the end of this turn).
   */
  applyDeferred(): void {
    if (this.#deferred.length > 0) this.#begin();
  }

  /** Where a deferred statement that throws is reported (the edge logs it); one listener at a time. */
  onDeferredError(listener: ((error: unknown) => void) | undefined): void {
    this.#onDeferredError = listener;
  }

  /** Calls `listener` after each successful commit (the WAL checkpointer's wake-up); one at a time. */
  afterCommit(listener: (() => void) | undefined): void {
    this.#afterCommit = listener;
  }

  /** Runs the deferred writes and commits now (before closing the database). */
  flush(): void {
    this.applyDeferred();
    if (this.#open) this.#commit();
  }

  #begin(): void {
    if (this.#open) return;
    this.#db.exec('BEGIN IMMEDIATE');
    this.#open = true;
    setImmediate(() => this.#commit());
    if (this.#deferred.length > 0) {
      const deferred = this.#deferred;
      this.#deferred = [];
      clearTimeout(this.#deferTimer);
      this.#deferTimer = undefined;
      for (const statement of deferred) this.#runDeferred(statement);
    }
  }

  #runDeferred(statement: () => unknown): void {
    try {
      statement();
    } catch (error) {
      this.#onDeferredError?.(error);
    }
  }

  #commit(): void {
    if (!this.#open) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    this.#open = false;
    try {
      this.#db.exec('COMMIT');
    } catch (error) {
      try {
        this.#db.exec('ROLLBACK');
      } catch {
        // Nothing left to roll back.
      }
      for (const w of waiters) w.reject(error);
      return;
    }
    this.#afterCommit?.();
    for (const w of waiters) w.resolve();
  }
}
