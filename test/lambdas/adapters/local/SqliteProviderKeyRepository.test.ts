import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEdgeDatabase } from '../../../../lambdas/adapters/local/openEdgeDatabase.ts';
import { SqliteProviderKeyRepository } from '../../../../lambdas/adapters/local/SqliteProviderKeyRepository.ts';
import type { StoredProviderKey } from '../../../../lambdas/core/keys/ProviderKeyRepository.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cp-keys-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function key(ciphertext: Uint8Array): StoredProviderKey {
  return {
    keyId: 'key-0123456789abcdef',
    provider: 'openai',
    label: 'org',
    ciphertext,
    fingerprint: 'sha256:01234567',
    last4: 'abcd',
    createdAt: 1,
    updatedAt: 1,
  };
}

/** Every byte SQLite keeps on disk for `path`: the database, its WAL and shared memory. */
function onDisk(path: string): Buffer {
  return Buffer.concat(
    [path, `${path}-wal`, `${path}-shm`].filter(existsSync).map((file) => readFileSync(file)),
  );
}

describe('SqliteProviderKeyRepository', () => {
  it('leaves no copy of a deleted key’s ciphertext in the database file or its WAL', async () => {
    // Prepare
    const path = join(dir, 'edge.sqlite');
    const db = openEdgeDatabase(path);
    const keys = new SqliteProviderKeyRepository(db);
    const ciphertext = randomBytes(96);
    await keys.put(key(ciphertext));
    expect(onDisk(path).includes(ciphertext)).toBe(true);

    // Act
    expect(await keys.delete('key-0123456789abcdef')).toBe(true);

    // Assess
    expect(onDisk(path).includes(ciphertext)).toBe(false);
    expect(await keys.get('key-0123456789abcdef')).toBeUndefined();
    db.close();
  });

  it('leaves no copy of the old ciphertext after a rotation', async () => {
    const path = join(dir, 'edge.sqlite');
    const db = openEdgeDatabase(path);
    const keys = new SqliteProviderKeyRepository(db);
    const old = randomBytes(96);
    await keys.put(key(old));

    await keys.put({ ...key(randomBytes(96)), updatedAt: 2 });

    expect(onDisk(path).includes(old)).toBe(false);
    db.close();
  });

  it('would leave the bytes behind without secure_delete (the check above can fail)', () => {
    const path = join(dir, 'plain.sqlite');
    const db = new DatabaseSync(path);
    db.exec('PRAGMA secure_delete = OFF; CREATE TABLE t (b BLOB)');
    const bytes = randomBytes(96);
    db.prepare('INSERT INTO t VALUES (?)').run(bytes);

    db.exec('DELETE FROM t');

    expect(onDisk(path).includes(bytes)).toBe(true);
    db.close();
  });

  it('records a poll only for a key that still exists, and a rotation keeps the poll state', async () => {
    const db = openEdgeDatabase(join(dir, 'edge.sqlite'));
    const keys = new SqliteProviderKeyRepository(db);
    expect(await keys.recordPoll('key-0123456789abcdef', { lastPolledAt: 1, ok: true })).toBe(false);
    await keys.put(key(randomBytes(8)));
    await keys.recordPoll('key-0123456789abcdef', {
      lastPolledAt: 2,
      ok: false,
      error: { code: 'x', message: 'y' },
    });

    await keys.put({ ...key(randomBytes(8)), label: 'renamed', updatedAt: 3 });

    expect(await keys.get('key-0123456789abcdef')).toMatchObject({
      label: 'renamed',
      createdAt: 1,
      updatedAt: 3,
      poll: { lastPolledAt: 2, ok: false, error: { code: 'x', message: 'y' } },
    });
    db.close();
  });
});
