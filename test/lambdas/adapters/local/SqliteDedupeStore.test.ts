import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEdgeDatabase } from '../../../../lambdas/adapters/local/openEdgeDatabase.ts';
import { SqliteDedupeStore } from '../../../../lambdas/adapters/local/SqliteDedupeStore.ts';
import { SqliteWriteBatcher } from '../../../../lambdas/adapters/local/SqliteWriteBatcher.ts';

const HOUR = 3_600_000;

let dir: string;
let db: DatabaseSync;
let reader: DatabaseSync;
let now: number;
let store: SqliteDedupeStore;

/** What another connection sees: only what has been committed. */
const committedKeys = () =>
  (reader.prepare('SELECT key FROM dedupe ORDER BY key').all() as { key: string }[]).map((row) => row.key);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cp-dedupe-'));
  db = openEdgeDatabase(join(dir, 'edge.sqlite'));
  reader = new DatabaseSync(join(dir, 'edge.sqlite'));
  now = 1_800_000_000_000;
  store = new SqliteDedupeStore(db, { now: () => now });
});
afterEach(() => {
  reader.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteDedupeStore', () => {
  it('claims a delivery id it has not seen', async () => {
    // Act
    const claimed = await store.claim('github\nd-1', now + 72 * HOUR);

    // Assess
    expect(claimed).toBe(true);
  });

  it('refuses a second claim of the same id while the first has not expired', async () => {
    // Prepare
    await store.claim('github\nd-1', now + 72 * HOUR);
    now += 71 * HOUR;

    // Act
    const again = await store.claim('github\nd-1', now + 72 * HOUR);

    // Assess
    expect(again).toBe(false);
  });

  it('refuses a claim repeated in the same batch, before anything is committed', async () => {
    // Act
    const [first, second] = await Promise.all([
      store.claim('github\nd-1', now + 72 * HOUR),
      store.claim('github\nd-1', now + 72 * HOUR),
    ]);

    // Assess
    expect([first, second]).toEqual([true, false]);
  });

  it('takes over a claim whose time has passed, and holds it for the new period', async () => {
    // Prepare
    await store.claim('github\nd-1', now + HOUR);
    now += HOUR;

    // Act
    const takenOver = await store.claim('github\nd-1', now + 72 * HOUR);
    now += 71 * HOUR;
    const afterTakeOver = await store.claim('github\nd-1', now + 72 * HOUR);

    // Assess
    expect(takenOver).toBe(true);
    expect(afterTakeOver).toBe(false);
  });

  it('keeps different ids, and the same id of different sources, apart', async () => {
    // Act
    const claims = await Promise.all([
      store.claim('github\nd-1', now + HOUR),
      store.claim('github\nd-2', now + HOUR),
      store.claim('stripe\nd-1', now + HOUR),
    ]);

    // Assess
    expect(claims).toEqual([true, true, true]);
  });

  it('stages the claim: it commits with the next write of the batch, not on its own', async () => {
    // Prepare
    const batch = SqliteWriteBatcher.for(db);

    // Act
    const claim = store.claim('github\nd-1', now + HOUR);
    const seenBeforeCommit = committedKeys();
    await batch.write(() => undefined);

    // Assess
    expect(await claim).toBe(true);
    expect(seenBeforeCommit).toEqual([]);
    expect(committedKeys()).toEqual(['github\nd-1']);
  });

  it('lets a released id be claimed again at once', async () => {
    // Prepare
    await store.claim('github\nd-1', now + 72 * HOUR);

    // Act
    await store.release('github\nd-1');
    const again = await store.claim('github\nd-1', now + 72 * HOUR);

    // Assess
    expect(again).toBe(true);
  });

  it('releases an id it never claimed without error', async () => {
    // Act and assess
    await expect(store.release('github\nunknown')).resolves.toBeUndefined();
  });

  it('sweeps expired claims only, and says how many', async () => {
    // Prepare
    await store.claim('github\nold', now + HOUR);
    await store.claim('github\nlive', now + 72 * HOUR);
    await SqliteWriteBatcher.for(db).write(() => undefined);
    now += HOUR;

    // Act
    const swept = store.sweep();

    // Assess
    expect(swept).toBe(1);
    expect(committedKeys()).toEqual(['github\nlive']);
  });
});
