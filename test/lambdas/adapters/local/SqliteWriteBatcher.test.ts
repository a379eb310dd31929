import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFER_MS, SqliteWriteBatcher } from '../../../../lambdas/adapters/local/SqliteWriteBatcher.ts';

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

  describe('defer', () => {
    const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
    const visibleHere = () =>
      (db.prepare('SELECT v FROM t ORDER BY v').all() as { v: string }[]).map((r) => r.v);

    it('holds a deferred write until the next batch opens, then commits it in that batch, first', async () => {
      // Prepare
      const batch = SqliteWriteBatcher.for(db);
      let commits = 0;
      batch.afterCommit(() => commits++);

      // Act
      batch.defer(insert('deferred'));
      await endOfTurn();
      const beforeAnyWrite = { here: visibleHere(), committed: committed(), commits };
      await batch.write(insert('written'));

      // Assess
      expect(beforeAnyWrite).toEqual({ here: [], committed: [], commits: 0 });
      expect(committed()).toEqual(['deferred', 'written']);
      expect(commits).toBe(1);
    });

    it('opens a batch of its own once DEFER_MS pass with no other write', async () => {
      // Prepare
      const batch = SqliteWriteBatcher.for(db);

      // Act
      batch.defer(insert('alone'));
      await new Promise((resolve) => setTimeout(resolve, DEFER_MS + 30));

      // Assess
      expect(committed()).toEqual(['alone']);
      expect(db.isTransaction).toBe(false);
    });

    it('runs at once in a batch that is already open', async () => {
      // Prepare
      const batch = SqliteWriteBatcher.for(db);
      const written = batch.write(insert('first'));

      // Act
      batch.defer(insert('joins'));
      const here = visibleHere();
      await written;

      // Assess
      expect(here).toEqual(['first', 'joins']);
      expect(committed()).toEqual(['first', 'joins']);
    });

    it('is applied by applyDeferred, so a read on the connection sees it, and committed at the end of the turn', async () => {
      // Prepare
      const batch = SqliteWriteBatcher.for(db);
      batch.defer(insert('pending'));

      // Act
      batch.applyDeferred();
      const here = visibleHere();
      await endOfTurn();

      // Assess
      expect(here).toEqual(['pending']);
      expect(committed()).toEqual(['pending']);
    });

    it('reports a deferred statement that throws, and commits the others', async () => {
      // Prepare
      const batch = SqliteWriteBatcher.for(db);
      const reported: unknown[] = [];
      batch.onDeferredError((error) => reported.push(error));
      db.exec("INSERT INTO t (v) VALUES ('taken')");

      // Act
      batch.defer(insert('taken'));
      batch.defer(insert('fine'));
      await batch.write(insert('written'));

      // Assess
      expect(reported).toHaveLength(1);
      expect(String(reported[0])).toMatch(/UNIQUE constraint failed/);
      expect(committed()).toEqual(['fine', 'taken', 'written']);
    });

    it('is run and committed by flush', () => {
      // Prepare
      const batch = SqliteWriteBatcher.for(db);
      batch.defer(insert('at close'));

      // Act
      batch.flush();

      // Assess
      expect(committed()).toEqual(['at close']);
      expect(db.isTransaction).toBe(false);
    });

    it('leaves a connection closed without a flush alone when its time comes', async () => {
      // Prepare
      const batch = SqliteWriteBatcher.for(db);
      batch.defer(insert('never'));

      // Act: an error thrown from the timer would fail this test as an unhandled error.
      db.close();
      await new Promise((resolve) => setTimeout(resolve, DEFER_MS + 30));

      // Assess
      expect(committed()).toEqual([]);
    });

    it('loses its timer to a batch that opened first: nothing is applied twice', async () => {
      // Prepare
      const batch = SqliteWriteBatcher.for(db);
      let commits = 0;
      batch.afterCommit(() => commits++);

      // Act
      batch.defer(insert('once'));
      await batch.write(insert('other'));
      await new Promise((resolve) => setTimeout(resolve, DEFER_MS + 30));

      // Assess
      expect(committed()).toEqual(['once', 'other']);
      expect(commits).toBe(1);
    });
  });
});
