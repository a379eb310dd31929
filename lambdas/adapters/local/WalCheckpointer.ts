import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';

/**
 * The worker: its own connection to the database, waiting on a shared counter of commits. After a
 * wake-up it checkpoints (PASSIVE: it never blocks the writer), then waits `gatherMs` so that the
 * commits of a busy moment share one checkpoint. Slot 0 counts wake-ups, slot 1 asks it to stop.
 * Plain JavaScript run with `eval`, so the worker needs no file of its own in the bundle.
 */
const WORKER_SOURCE = `
const { DatabaseSync } = require('node:sqlite');
const { workerData } = require('node:worker_threads');
const signal = new Int32Array(workerData.signal);
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 5000');
db.exec('PRAGMA synchronous = ' + (workerData.full ? 'FULL' : 'NORMAL'));
let seen = 0;
while (Atomics.load(signal, 1) === 0) {
  Atomics.wait(signal, 0, seen);
  seen = Atomics.load(signal, 0);
  if (Atomics.load(signal, 1) !== 0) break;
  try {
    db.exec('PRAGMA wal_checkpoint(PASSIVE)');
  } catch {
    // Busy (a TRUNCATE checkpoint of the main connection): the next wake-up checkpoints.
  }
  Atomics.wait(signal, 1, 0, workerData.gatherMs);
}
db.close();
`;

/** How far the WAL may grow before the main connection checkpoints itself: the worker fell behind. */
const BACKSTOP_BYTES = 64 * 1024 * 1024;
/** SQLite's default `wal_autocheckpoint`, restored when the worker stops. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/**
 * Moves the WAL checkpoints of the edge database off the event loop: a worker thread with a connection
 * of its own copies committed pages into the database file and waits on its fsync, while the event loop
 * only appends to the WAL. Nothing about durability changes: a commit is exactly as durable as before
 * (the WAL append), and the checkpoint syncs the same way. The main connection still checkpoints on its
 * own once the WAL passes 64 MiB, should the worker fall behind or fail. Under sustained writes that
 * backstop is also what restarts the log: SQLite rewinds the WAL only when a write begins with every frame
 * already copied, which a checkpoint running beside the writer seldom leaves it; by then the worker has
 * copied nearly all of it, so the main connection's checkpoint is short (measured: at most 17 ms at 2,400
 * webhooks/s of 1 KB, against a checkpoint every 4 MiB on the event loop before).
 *
 * Needs the database in WAL mode and not held with `locking_mode = EXCLUSIVE` (see openEdgeDatabase).
 *
 * @example
 * const checkpointer = WalCheckpointer.start(db, path);
 * SqliteWriteBatcher.for(db).afterCommit(() => checkpointer.wake());
 * // …
 * await checkpointer.stop();
 */
export class WalCheckpointer {
  readonly #db: DatabaseSync;
  readonly #worker: Worker;
  readonly #signal: Int32Array;
  readonly #exited: Promise<void>;
  #stopped = false;

  private constructor(db: DatabaseSync, worker: Worker, signal: Int32Array) {
    this.#db = db;
    this.#worker = worker;
    this.#signal = signal;
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    // A worker that fails leaves the checkpoints to the main connection's backstop.
    worker.on('error', () => undefined);
    worker.unref();
  }

  /**
   * Starts the worker for the database at `path`, open in `db`. `gatherMs` is the pause after each
   * checkpoint, so commits that follow in quick succession share the next one.
   */
  static start(
    db: DatabaseSync,
    path: string,
    options: { durability?: 'normal' | 'full'; gatherMs?: number } = {},
  ): WalCheckpointer {
    const pageSize = Number((db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
    db.exec(`PRAGMA wal_autocheckpoint = ${Math.ceil(BACKSTOP_BYTES / pageSize)}`);
    const signal = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path,
        signal: signal.buffer,
        full: options.durability === 'full',
        // A checkpoint copies every page committed since the last one and syncs the database file: one
        // every quarter second copies a hot page once, not once per commit, and at a steady 200 webhooks/s
        // took the edge's CPU per webhook from 2.2 ms to 1.8 ms (measured with relay-bench).
        gatherMs: options.gatherMs ?? 250,
      },
    });
    return new WalCheckpointer(db, worker, signal);
  }

  /** Tells the worker that something was committed. An atomic add and a notify: cheap on every commit. */
  wake(): void {
    Atomics.add(this.#signal, 0, 1);
    Atomics.notify(this.#signal, 0);
  }

  /** Stops the worker (after the checkpoint under way, if any) and gives checkpoints back to the main connection. */
  async stop(): Promise<void> {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#worker.ref(); // the process waits for the worker to close its connection
      Atomics.store(this.#signal, 1, 1);
      Atomics.notify(this.#signal, 1);
      this.wake();
      if (this.#db.isOpen) this.#db.exec(`PRAGMA wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    }
    await this.#exited;
  }
}
