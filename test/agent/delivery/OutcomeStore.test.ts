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

  it('remembers an outcome across a reopen, in a file only its owner can read', () => {
    // Prepare
    const path = file();
    const store = new OutcomeStore(path);

    // Act
    store.record(key, outcome, 1_000);
    store.close();
    const reopened = new OutcomeStore(path);

    // Assess
    expect(reopened.find(key, 2_000)).toEqual(outcome);
    expect(reopened.find(OutcomeStore.key('stripe', '72d3162e'), 2_000)).toBeUndefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    reopened.close();
  });

  it('forgets outcomes after the retention window', () => {
    const store = new OutcomeStore(':memory:', { retentionMs: 1_000 });
    store.record(key, { envelopeId: 'env-1', statusCode: 200, attempts: 1, latencyMs: 3 }, 10_000);
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

  it('keeps sources apart: the same provider delivery id under two sources is two deliveries', () => {
    expect(OutcomeStore.key('a-source', 'x')).not.toBe(OutcomeStore.key('a', 'source\nx'));
  });
});
