import { describe, expect, it } from 'vitest';
import {
  createUsageClient,
  isUsageProviderId,
  USAGE_PROVIDERS,
} from '../../../../lambdas/core/usage/createUsageClient.ts';
import type { HttpClient } from '../../../../lambdas/core/usage/HttpClient.ts';
import { USAGE_PROVIDER_IDS } from '../../../../lambdas/core/usage/SpendReport.ts';

const unused: HttpClient = async () => {
  throw new Error('no request expected');
};

describe('createUsageClient', () => {
  it('gives spend history to providers that publish it and balances to those that do', () => {
    const kinds = Object.fromEntries(
      USAGE_PROVIDER_IDS.map((provider) => {
        const clients = createUsageClient({ provider, key: 'k', http: unused });
        return [provider, { spend: clients.spend !== undefined, balance: clients.balance !== undefined }];
      }),
    );

    expect(kinds).toEqual({
      openai: { spend: true, balance: false },
      anthropic: { spend: true, balance: false },
      openrouter: { spend: true, balance: true },
      deepseek: { spend: false, balance: true },
      vercel: { spend: false, balance: true },
    });
  });

  it('defaults to each provider over https and explains each key', () => {
    for (const provider of USAGE_PROVIDER_IDS) {
      expect(USAGE_PROVIDERS[provider].defaultBaseUrl).toMatch(/^https:\/\//);
      expect(USAGE_PROVIDERS[provider].keyRequirement.length).toBeGreaterThan(40);
    }
  });

  it('refuses an empty key and a bad base URL before any request', () => {
    expect(() => createUsageClient({ provider: 'openai', key: ' ', http: unused })).toThrow(/empty/);
    expect(() =>
      createUsageClient({ provider: 'openai', key: 'k', http: unused, baseUrl: 'http://example.com' }),
    ).toThrow(/loopback/);
  });

  it('recognises provider ids', () => {
    expect(isUsageProviderId('anthropic')).toBe(true);
    expect(isUsageProviderId('acme')).toBe(false);
  });
});
