import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteWriteBatcher } from '../../../../lambdas/adapters/local/SqliteWriteBatcher.ts';

let dir: string;
let db: DatabaseSync;
let reader: DatabaseSync;

const endOfTurn = () => new Promise((resolve) => setImmediate(resolve));
const committed = () =>
  (reader.prepare('SELECT v FROM t ORDER BY v').all() as { v: string }[]).map((r) => r.v);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cp-batcher-'));
  db = new DatabaseSync(join(dir, 'db.sqlite'));
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;
    CREATE TABLE parent (id TEXT PRIMARY KEY);
    CREATE TABLE t (v TEXT PRIMARY KEY, parent TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);`);
  reader = new DatabaseSync(join(dir, 'db.sqlite'));
});
afterEach(() => {
  reader.close();
  if (db.isOpen) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteWriteBatcher', () => {
  it('is one batcher per connection', () => {
    expect(SqliteWriteBatcher.for(db)).toBe(SqliteWriteBatcher.for(db));
    expect(SqliteWriteBatcher.for(reader)).not.toBe(SqliteWriteBatcher.for(db));
  });

  it('commits the writes of one turn in one transaction, and resolves each only after the commit', async () => {
    // Prepare
    const batch = SqliteWriteBatcher.for(db);
    let commits = 0;
    batch.afterCommit(() => commits++);

    // Act
    const a = batch.write(() => db.prepare("INSERT INTO t (v) VALUES ('a')").run().changes);
    const b = batch.write(() => db.prepare("INSERT INTO t (v) VALUES ('b')").run().changes);
    const beforeCommit = committed();
    const results = await Promise.all([a, b]);

    // Assess
    expect(beforeCommit).toEqual([]);
    expect(results).toEqual([1, 1]);
    expect(committed()).toEqual(['a', 'b']);
    expect(commits).toBe(1);
  });

  it('returns a staged write at once, visible on its connection, and commits it with the batch', async () => {
    // Prepare
    const batch = SqliteWriteBatcher.for(db);

    // Act
    const changes = batch.stage(() => db.prepare("INSERT INTO t (v) VALUES ('staged')").run().changes);
    const seenHere = db.prepare("SELECT count(*) AS n FROM t WHERE v = 'staged'").get() as { n: number };
    const seenElsewhere = committed();
    await batch.write(() => db.prepare("INSERT INTO t (v) VALUES ('written')").run());

    // Assess
    expect(changes).toBe(1);
    expect(seenHere.n).toBe(1);
    expect(seenElsewhere).toEqual([]);
    expect(committed()).toEqual(['staged', 'written']);
  });

  it('rejects a failing statement alone; the rest of the batch commits', async () => {
    // Prepare
    const batch = SqliteWriteBatcher.for(db);
    const good = batch.write(() => db.prepare("INSERT INTO t (v) VALUES ('good')").run());

    // Act
    const bad = batch.write(() => db.prepare("INSERT INTO t (v) VALUES ('good')").run());

    // Assess
    await expect(bad).rejects.toThrow(/UNIQUE/);
    await good;
    expect(committed()).toEqual(['good']);
  });

  it('rolls the whole batch back, staged writes included, and rejects every waiter when the COMMIT fails', async () => {
    // Prepare: a deferred foreign key fails only at COMMIT.
    const batch = SqliteWriteBatcher.for(db);
    batch.stage(() => db.prepare("INSERT INTO t (v) VALUES ('staged')").run());
    const first = batch.write(() => db.prepare("INSERT INTO t (v) VALUES ('first')").run());
    const orphan = batch.write(() => db.prepare("INSERT INTO t (v, parent) VALUES ('orphan', 'none')").run());

    // Act / Assess
    await expect(first).rejects.toThrow(/FOREIGN KEY/);
    await expect(orphan).rejects.toThrow(/FOREIGN KEY/);
    expect(committed()).toEqual([]);
    expect(db.isTransaction).toBe(false);
    await batch.write(() => db.prepare("INSERT INTO t (v) VALUES ('next')").run());
    expect(committed()).toEqual(['next']);
  });

  it('commits at once on flush, and nothing is left for the end of the turn', async () => {
    // Prepare
    const batch = SqliteWriteBatcher.for(db);
    const write = batch.write(() => db.prepare("INSERT INTO t (v) VALUES ('now')").run());

    // Act
    batch.flush();
    const afterFlush = committed();
    await write;
    await endOfTurn();

    // Assess
    expect(afterFlush).toEqual(['now']);
    expect(db.isTransaction).toBe(false);
  });
});
