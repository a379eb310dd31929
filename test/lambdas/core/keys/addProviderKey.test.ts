import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addProviderKey } from '../../../../lambdas/core/keys/addProviderKey.ts';
import { decryptProviderKey } from '../../../../lambdas/core/keys/providerKeySecret.ts';
import { OPENAI_KEY_REQUIREMENT } from '../../../../lambdas/core/usage/openaiClient.ts';
import { type MonitorFixture, monitorFixture } from '../../../support/monitorFixture.ts';

let f: MonitorFixture;
beforeEach(async () => {
  f = await monitorFixture();
});
afterEach(async () => {
  await f.close();
});

describe('addProviderKey', () => {
  it('validates the key with one usage call, stores only ciphertext bound to the key id, and answers masked', async () => {
    // Act
    const change = await addProviderKey(f.deps, {
      provider: 'openai',
      label: 'OpenAI org',
      key: f.providerKey,
      baseUrl: f.provider.url,
    });

    // Assess
    expect(change.key).toMatchObject({
      provider: 'openai',
      label: 'OpenAI org',
      baseUrl: f.provider.url,
      masked: `…${f.providerKey.slice(-4)}`,
    });
    expect(change.key.keyId).toMatch(/^key-[0-9a-f]{16}$/);
    expect(change.key.fingerprint).toMatch(/^sha256:[0-9a-f]{8}$/);
    expect(JSON.stringify(change)).not.toContain(f.providerKey);
    expect(change.permission).toBe(OPENAI_KEY_REQUIREMENT);
    expect(change.warning).toBeUndefined();
    expect(f.provider.requests).toHaveLength(1);
    expect(f.provider.requests[0]).toMatchObject({
      method: 'GET',
      path: '/v1/organization/costs',
      authorized: true,
    });
    const stored = await f.deps.keys.get(change.key.keyId);
    expect(Buffer.from(stored!.ciphertext).toString('latin1')).not.toContain(f.providerKey);
    expect(await decryptProviderKey(f.deps.custody, change.key.keyId, stored!.ciphertext)).toBe(
      f.providerKey,
    );
    await expect(
      decryptProviderKey(f.deps.custody, 'key-0000000000000000', stored!.ciphertext),
    ).rejects.toMatchObject({
      code: 'decrypt_failed',
    });
    f.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    expect(readFileSync(f.databasePath).includes(Buffer.from(f.providerKey))).toBe(false);
  });

  it('warns that Anthropic admin keys have no read-only scope', async () => {
    const change = await addProviderKey(f.deps, {
      provider: 'anthropic',
      label: 'Anthropic',
      key: f.providerKey,
      baseUrl: f.provider.url,
    });

    expect(change.permission).toMatch(/Admin API key/);
    expect(change.warning).toMatch(/Anthropic offers no read-only scope/);
  });

  it('stores nothing and names the permission needed when the provider refuses the key', async () => {
    const attempt = addProviderKey(f.deps, {
      provider: 'openai',
      label: 'wrong',
      key: 'not-the-right-key-123',
      baseUrl: f.provider.url,
    });

    await expect(attempt).rejects.toMatchObject({ code: 'key_rejected', status: 422 });
    await expect(attempt).rejects.toThrow(/Read only permission.*Nothing was stored/s);
    expect(await f.deps.keys.list()).toEqual([]);
  });

  it('stores nothing when the provider cannot be reached', async () => {
    await f.provider.close();

    const attempt = addProviderKey(f.deps, {
      provider: 'openai',
      label: 'down',
      key: f.providerKey,
      baseUrl: f.provider.url,
    });

    await expect(attempt).rejects.toMatchObject({ code: 'key_not_validated', status: 424 });
    expect(await f.deps.keys.list()).toEqual([]);
  });

  it.each([
    ['spaces inside', 'abc def ghi jkl'],
    ['too short', 'abc'],
    ['a line break', 'abcdefgh\nijkl'],
  ])('refuses a key with %s before calling anyone', async (_case, key) => {
    await expect(
      addProviderKey(f.deps, { provider: 'openai', label: 'x', key, baseUrl: f.provider.url }),
    ).rejects.toMatchObject({ code: 'invalid_key', status: 400 });
    expect(f.provider.requests).toHaveLength(0);
  });

  it.each([
    ['plain http to another host', 'http://example.com'],
    ['credentials', 'https://user:pw@example.com'],
    ['a query', 'https://example.com/?a=1'],
  ])('refuses a base URL with %s before calling anyone', async (_case, baseUrl) => {
    await expect(
      addProviderKey(f.deps, { provider: 'openai', label: 'x', key: f.providerKey, baseUrl }),
    ).rejects.toMatchObject({ code: 'invalid_base_url' });
    expect(await f.deps.keys.list()).toEqual([]);
  });
});
