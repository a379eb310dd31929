import { describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../../../../lambdas/adapters/http/fetchHttpClient.ts';
import { deepseekClient } from '../../../../lambdas/core/usage/deepseekClient.ts';
import { ProviderAuthError } from '../../../../lambdas/core/usage/errors.ts';
import { scriptedProviderPerTest, usageFixture } from '../../../support/usageProviderServer.ts';

const KEY = 'sk-canary-0123456789';
const fixture = usageFixture;

const serve = scriptedProviderPerTest();

describe('deepseekClient', () => {
  it('reads the documented balance example per currency, in major units', async () => {
    const { url, requests } = await serve(() => ({ status: 200, body: fixture('deepseek-balance.json') }));
    const client = deepseekClient({ apiKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const snapshot = await client.readBalance();

    expect(snapshot).toEqual({
      provider: 'deepseek',
      available: true,
      balances: [{ currency: 'cny', amountMicros: 110_000_000 }],
    });
    expect(requests[0]?.path).toBe('/user/balance');
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('says the key can also call models when it is refused', async () => {
    const { url } = await serve(() => ({
      status: 401,
      body: { error: { message: 'Authentication Fails' } },
    }));
    const client = deepseekClient({ apiKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const failure = client.readBalance();

    await expect(failure).rejects.toBeInstanceOf(ProviderAuthError);
    await expect(failure).rejects.toThrow(/no read-only/);
  });

  it('names a missing balance field', async () => {
    const { url } = await serve(() => ({
      status: 200,
      body: { is_available: true, balance_infos: [{ currency: 'USD' }] },
    }));
    const client = deepseekClient({ apiKey: KEY, http: fetchHttpClient(), baseUrl: url });

    await expect(client.readBalance()).rejects.toThrow('balance_infos[0].total_balance is missing');
  });
});
