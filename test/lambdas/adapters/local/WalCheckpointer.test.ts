import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEdgeDatabase, PAGE_SIZE } from '../../../../lambdas/adapters/local/openEdgeDatabase.ts';
import { SqliteWriteBatcher } from '../../../../lambdas/adapters/local/SqliteWriteBatcher.ts';
import { WalCheckpointer } from '../../../../lambdas/adapters/local/WalCheckpointer.ts';

const MB = 1024 * 1024;

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}

const autocheckpoint = (db: DatabaseSync) =>
  Number(
    (db.prepare('PRAGMA wal_autocheckpoint').get() as { wal_autocheckpoint: number }).wal_autocheckpoint,
  );

describe('WalCheckpointer', () => {
  let dir: string;
  let path: string;
  let db: DatabaseSync;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cp-checkpointer-'));
    path = join(dir, 'edge.sqlite');
    db = openEdgeDatabase(path);
    db.exec('CREATE TABLE blobs (data BLOB NOT NULL) STRICT');
  });

  afterEach(() => {
    if (db.isOpen) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies committed pages into the database file from its worker, woken by the batcher', async () => {
    // Prepare
    const checkpointer = WalCheckpointer.start(db, path);
    const batcher = SqliteWriteBatcher.for(db);
    batcher.afterCommit(() => checkpointer.wake());
    const insert = db.prepare('INSERT INTO blobs (data) VALUES (?)');

    // Act
    for (let i = 0; i < 8; i++) await batcher.write(() => insert.run(Buffer.alloc(256 * 1024, i)));

    // Assess: the main connection checkpoints only past 64 MiB, so a 2 MiB database file is the worker's
    expect(await eventually(() => statSync(path).size >= 2 * MB)).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM blobs').get()).toEqual({ n: 8 });
    batcher.afterCommit(undefined);
    await checkpointer.stop();
  });

  it('leaves the main connection a 64 MiB backstop while it runs, and SQLite’s default after it stops', async () => {
    // Act
    const checkpointer = WalCheckpointer.start(db, path);
    const running = autocheckpoint(db);
    await checkpointer.stop();

    // Assess
    expect(running).toBe((64 * MB) / PAGE_SIZE);
    expect(autocheckpoint(db)).toBe(1000);
  });

  it('closes its connection when stopped, so closing the database removes the WAL', async () => {
    // Prepare
    const checkpointer = WalCheckpointer.start(db, path);
    db.prepare('INSERT INTO blobs (data) VALUES (?)').run(Buffer.alloc(1024));
    checkpointer.wake();
    expect(existsSync(`${path}-wal`)).toBe(true);

    // Act
    await checkpointer.stop();
    await checkpointer.stop();
    db.close();

    // Assess: only the last connection to close checkpoints and deletes the WAL
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('does not copy anything before a commit wakes it', async () => {
    // Prepare
    const checkpointer = WalCheckpointer.start(db, path);
    const before = statSync(path).size;

    // Act
    db.prepare('INSERT INTO blobs (data) VALUES (?)').run(Buffer.alloc(MB));
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Assess
    expect(statSync(path).size).toBe(before);
    await checkpointer.stop();
  });
});
