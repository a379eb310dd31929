import OpenAI from 'openai';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { openai } from '../../../../../lambdas/core/signatures/providers/openai.ts';
import { signedRequest } from '../support/signedRequest.ts';

const at = 1_767_225_600;
const secret = 'whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c=';
const body = '{"id":"evt_685c","object":"event","type":"response.completed","data":{"id":"resp_1"}}';

describe('openai', () => {
  it('agrees with client.webhooks.unwrap on authentic and altered deliveries', async () => {
    // Prepare
    const client = new OpenAI({ apiKey: 'sk-test', webhookSecret: secret });
    const signature = new Webhook(secret).sign('wh_1', new Date(at * 1000), body);
    const headers = { 'webhook-id': 'wh_1', 'webhook-timestamp': String(at), 'webhook-signature': signature };

    for (const payload of [body, body.replace('completed', 'failed')]) {
      // Act
      const ours = openai.verify({
        request: signedRequest({ headers, body: payload }),
        source: { provider: 'openai', secrets: [secret] },
        nowSeconds: at,
      });
      vi.useFakeTimers({ now: at * 1000 });
      const theirs = await client.webhooks.unwrap(payload, headers, secret).then(
        () => true,
        () => false,
      );
      vi.useRealTimers();

      // Assess
      expect(ours.ok).toBe(theirs);
      if (ours.ok) expect(ours.deliveryId).toBe('wh_1');
    }
  });
});
