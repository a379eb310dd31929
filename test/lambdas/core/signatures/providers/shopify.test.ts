import '@shopify/shopify-api/adapters/web-api';
import { createHmac } from 'node:crypto';
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api';
import { describe, expect, it } from 'vitest';
import { shopify } from '../../../../../lambdas/core/signatures/providers/shopify.ts';
import { signedRequest } from '../support/signedRequest.ts';

const secret = 'shpss_0123456789abcdef0123456789abcdef';
const url = 'https://hooks.example.com/v1/hooks/agent-1/shop';
const body = '{"id":820982911946154508,"email":"jon@example.com","note":"caf\u00e9"}';

const sdk = shopifyApi({
  apiKey: 'key',
  apiSecretKey: secret,
  apiVersion: ApiVersion.October25,
  hostName: 'hooks.example.com',
  isEmbeddedApp: false,
  logger: { level: LogSeverity.Error, log: async () => undefined },
});

function headersFor(payload: string, names: 'webhooks' | 'events') {
  const hmac = createHmac('sha256', secret).update(payload).digest('base64');
  const x = names === 'webhooks' ? 'x-shopify-' : 'shopify-';
  return {
    [`${x}hmac-sha256`]: hmac,
    [`${x}topic`]: 'orders/create',
    [`${x}shop-domain`]: 'example.myshopify.com',
    [`${x}api-version`]: '2025-10',
    [`${x}webhook-id`]: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    ...(names === 'events'
      ? { 'shopify-handle': 'h', 'shopify-action': 'create', 'shopify-event-id': 'e1' }
      : {}),
  };
}

async function sdkValid(headers: Record<string, string>, payload: string): Promise<boolean> {
  const result = await sdk.webhooks.validate({
    rawBody: payload,
    rawRequest: new Request(url, { method: 'POST', headers, body: payload }),
    rawResponse: new Response(),
  });
  return result.valid;
}

describe('shopify', () => {
  it.each(['webhooks', 'events'] as const)(
    'agrees with shopify.webhooks.validate (%s headers)',
    async (names) => {
      // Prepare
      const headers = headersFor(body, names);

      for (const payload of [body, body.replace('jon', 'bob')]) {
        // Act
        const ours = shopify.verify({
          request: signedRequest({ headers, body: payload, url }),
          source: { provider: 'shopify', secrets: [secret] },
          nowSeconds: 0,
        });

        // Assess
        expect(ours.ok).toBe(await sdkValid(headers, payload));
        if (ours.ok) expect(ours.deliveryId).toBe('b54557e4-bdd9-4b37-8a5f-bf7d70bcd043');
      }
    },
  );
});
