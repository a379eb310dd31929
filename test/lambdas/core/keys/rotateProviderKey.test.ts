import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addProviderKey } from '../../../../lambdas/core/keys/addProviderKey.ts';
import { rotateProviderKey } from '../../../../lambdas/core/keys/rotateProviderKey.ts';
import { pollBudgets } from '../../../../lambdas/core/monitor/pollBudgets.ts';
import { startSimulatedProvider } from '../../../../lambdas/edge/simulatedProvider.ts';
import { type MonitorFixture, monitorFixture } from '../../../support/monitorFixture.ts';

let f: MonitorFixture;
beforeEach(async () => {
  f = await monitorFixture();
});
afterEach(async () => {
  await f.close();
});

describe('rotateProviderKey', () => {
  it('validates the new key, replaces the ciphertext, and the next poll uses the new key', async () => {
    // Prepare: a provider that accepts only the new key from now on
    const { key } = await addProviderKey(f.deps, {
      provider: 'openai',
      label: 'org',
      key: f.providerKey,
      baseUrl: f.provider.url,
    });
    const before = await f.deps.keys.get(key.keyId);
    const next = await startSimulatedProvider({ key: 'NEW-provider-key-aa11bb22cc33', now: f.clock.now });
    // The same base URL is kept on rotation, so point the old record at the new provider for this test.
    await f.deps.keys.put({ ...before!, baseUrl: next.url });

    // Act
    const change = await rotateProviderKey(f.deps, key.keyId, {
      key: 'NEW-provider-key-aa11bb22cc33',
      label: 'org 2',
    });
    await pollBudgets(f.deps, f.clock.now());

    // Assess
    expect(change.key).toMatchObject({ keyId: key.keyId, label: 'org 2', masked: '…cc33' });
    expect(change.key.fingerprint).not.toBe(key.fingerprint);
    const after = await f.deps.keys.get(key.keyId);
    expect(after!.ciphertext).not.toEqual(before!.ciphertext);
    expect(after!.poll).toMatchObject({ ok: true });
    expect(next.requests.every((request) => request.authorized)).toBe(true);
    expect(next.requests.length).toBeGreaterThanOrEqual(2);
    await next.close();
  });

  it('keeps the old key when the new one is refused', async () => {
    const { key } = await addProviderKey(f.deps, {
      provider: 'openai',
      label: 'org',
      key: f.providerKey,
      baseUrl: f.provider.url,
    });
    const before = await f.deps.keys.get(key.keyId);

    await expect(rotateProviderKey(f.deps, key.keyId, { key: 'wrong-key-zzzzzzzz' })).rejects.toMatchObject({
      code: 'key_rejected',
    });

    expect((await f.deps.keys.get(key.keyId))!.ciphertext).toEqual(before!.ciphertext);
  });

  it('answers 404 for an unknown key', async () => {
    await expect(
      rotateProviderKey(f.deps, 'key-0123456789abcdef', { key: f.providerKey }),
    ).rejects.toMatchObject({
      code: 'unknown_key',
      status: 404,
    });
  });
});
