import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addProviderKey } from '../../../../lambdas/core/keys/addProviderKey.ts';
import { removeProviderKey } from '../../../../lambdas/core/keys/removeProviderKey.ts';
import { pollBudgets } from '../../../../lambdas/core/monitor/pollBudgets.ts';
import { type MonitorFixture, monitorFixture } from '../../../support/monitorFixture.ts';

let f: MonitorFixture;
beforeEach(async () => {
  f = await monitorFixture();
});
afterEach(async () => {
  await f.close();
});

describe('removeProviderKey', () => {
  it('purges the key at once; polling no longer sends it anywhere', async () => {
    const { key } = await addProviderKey(f.deps, {
      provider: 'openai',
      label: 'org',
      key: f.providerKey,
      baseUrl: f.provider.url,
    });
    const calls = f.provider.requests.length;

    await removeProviderKey(f.deps, key.keyId);
    await pollBudgets(f.deps, f.clock.now());

    expect(await f.deps.keys.get(key.keyId)).toBeUndefined();
    expect(f.provider.requests).toHaveLength(calls);
    await expect(removeProviderKey(f.deps, key.keyId)).rejects.toMatchObject({ code: 'unknown_key' });
  });
});
