import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OutcomeStore } from '../../../agent/delivery/OutcomeStore.ts';

describe('OutcomeStore', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function file(): string {
    const dir = mkdtempSync(join(tmpdir(), 'clawpulsar-outcomes-'));
    dirs.push(dir);
    return join(dir, 'outcomes.sqlite');
  }

  const key = OutcomeStore.key('github', '72d3162e');
  const outcome = { envelopeId: 'env-1', statusCode: 404, attempts: 2, latencyMs: 31, reason: 'not found' };

  it('remembers an outcome across a reopen, in a file only its owner can read', async () => {
    // Prepare
    const path = file();
    const store = new OutcomeStore(path);

    // Act
    const committed = store.record(key, outcome, 1_000);
    store.close();
    const reopened = new OutcomeStore(path);

    // Assess
    await expect(committed).resolves.toBeUndefined();
    expect(reopened.find(key, 2_000)).toEqual(outcome);
    expect(reopened.find(OutcomeStore.key('stripe', '72d3162e'), 2_000)).toBeUndefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    reopened.close();
  });

  it('forgets outcomes after the retention window', async () => {
    const store = new OutcomeStore(':memory:', { retentionMs: 1_000 });
    const committed = store.record(
      key,
      { envelopeId: 'env-1', statusCode: 200, attempts: 1, latencyMs: 3 },
      10_000,
    );
    expect(store.find(key, 10_999)).toEqual({
      envelopeId: 'env-1',
      statusCode: 200,
      attempts: 1,
      latencyMs: 3,
    });
    await committed;
    expect(store.find(key, 10_999)).toEqual({
      envelopeId: 'env-1',
      statusCode: 200,
      attempts: 1,
      latencyMs: 3,
    });
    expect(store.find(key, 11_000)).toBeUndefined();
    expect(store.purge(11_000)).toBe(1);
    expect(store.purge(11_000)).toBe(0);
    store.close();
  });

  it('commits every outcome recorded in one event-loop turn in one transaction', async () => {
    const store = new OutcomeStore(':memory:');
    const keys = Array.from({ length: 50 }, (_, i) => OutcomeStore.key('github', `d-${i}`));
    await Promise.all(
      keys.map((k) => store.record(k, { envelopeId: k, statusCode: 200, attempts: 1, latencyMs: 1 }, 5)),
    );
    expect(keys.every((k) => store.find(k, 6)?.envelopeId === k)).toBe(true);
    store.close();
  });

  it('keeps sources apart: the same provider delivery id under two sources is two deliveries', () => {
    expect(OutcomeStore.key('a-source', 'x')).not.toBe(OutcomeStore.key('a', 'source\nx'));
  });
});

describe('OutcomeStore exclusivity', () => {
  it('refuses a second agent on the same home with a clear message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawpulsar-outcomes-'));
    const path = join(dir, 'outcomes.sqlite');
    const first = new OutcomeStore(path);
    try {
      expect(() => new OutcomeStore(path)).toThrow(/Another `clawpulsar agent run` is using/);
    } finally {
      first.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
