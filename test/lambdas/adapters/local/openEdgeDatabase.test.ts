import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEdgeDatabase } from '../../../../lambdas/adapters/local/openEdgeDatabase.ts';

const pragma = (db: DatabaseSync, name: string) => Object.values(db.prepare(`PRAGMA ${name}`).get() ?? {})[0];

describe('openEdgeDatabase', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cp-edge-db-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes a new database in WAL mode with 4 KiB pages and secure delete', () => {
    // Act
    const db = openEdgeDatabase(join(dir, 'edge.sqlite'));

    // Assess
    expect(pragma(db, 'page_size')).toBe(4096);
    expect(pragma(db, 'journal_mode')).toBe('wal');
    expect(pragma(db, 'secure_delete')).toBe(1);
    expect(pragma(db, 'synchronous')).toBe(1);
    db.close();
  });

  it('opens a database made with another page size as it is, data intact', () => {
    // Prepare
    const path = join(dir, 'edge.sqlite');
    const old = new DatabaseSync(path);
    old.exec('PRAGMA page_size = 4096');
    old.exec('PRAGMA journal_mode = WAL');
    old.exec(
      `CREATE TABLE dedupe (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) STRICT;
       INSERT INTO dedupe VALUES ('a/s/d1', 1)`,
    );
    old.close();

    // Act
    const db = openEdgeDatabase(path);

    // Assess
    expect(pragma(db, 'page_size')).toBe(4096);
    expect(db.prepare('SELECT key FROM dedupe').all()).toEqual([{ key: 'a/s/d1' }]);
    db.close();
  });

  it('lets a second connection in the process read what the first committed (the checkpointer needs one)', () => {
    // Prepare
    const path = join(dir, 'edge.sqlite');
    const db = openEdgeDatabase(path);
    db.prepare('INSERT INTO dedupe (key, expires_at) VALUES (?, ?)').run('a/s/d1', 1);

    // Act
    const second = new DatabaseSync(path);
    const rows = second.prepare('SELECT key FROM dedupe').all();

    // Assess
    expect(rows).toEqual([{ key: 'a/s/d1' }]);
    second.close();
    db.close();
  });

  it('applies full durability when asked', () => {
    const db = openEdgeDatabase(join(dir, 'edge.sqlite'), { durability: 'full' });
    expect(pragma(db, 'synchronous')).toBe(2);
    db.close();
  });
});
