import { describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../../../../lambdas/adapters/http/fetchHttpClient.ts';
import { ProviderResponseError } from '../../../../lambdas/core/usage/errors.ts';
import { vercelClient } from '../../../../lambdas/core/usage/vercelClient.ts';
import { scriptedProviderPerTest, usageFixture } from '../../../support/usageProviderServer.ts';

const KEY = 'sk-canary-0123456789';
const fixture = usageFixture;

const serve = scriptedProviderPerTest();

describe('vercelClient', () => {
  it('reads the documented credits sample exactly', async () => {
    const { url, requests } = await serve(() => ({ status: 200, body: fixture('vercel-credits.json') }));
    const client = vercelClient({ apiKey: KEY, http: fetchHttpClient(), baseUrl: url });

    const snapshot = await client.readBalance();

    expect(snapshot).toEqual({
      provider: 'vercel',
      balances: [{ currency: 'usd', amountMicros: 95_500_000 }],
      totalUsedMicros: 4_500_000,
    });
    expect(requests[0]?.path).toBe('/v1/credits');
  });

  it('rejects a number where the documented shape has a decimal string', async () => {
    const { url } = await serve(() => ({ status: 200, body: { balance: 95.5, total_used: '4.50' } }));
    const client = vercelClient({ apiKey: KEY, http: fetchHttpClient(), baseUrl: url });

    await expect(client.readBalance()).rejects.toBeInstanceOf(ProviderResponseError);
  });
});
