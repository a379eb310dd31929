import { createHmac } from 'node:crypto';
import { Paddle } from '@paddle/paddle-node-sdk';
import { describe, expect, it, vi } from 'vitest';
import { paddle } from '../../../../../lambdas/core/signatures/providers/paddle.ts';
import { signedRequest } from '../support/signedRequest.ts';

const secret = 'pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI';
const at = 1_767_225_600;
const body = '{"event_id":"evt_01h","notification_id":"ntf_01h","event_type":"transaction.paid","data":{}}';
const sdk = new Paddle('pdl_sdbx_apikey_offline');

function header(ts: number, payload = body) {
  return `ts=${ts};h1=${createHmac('sha256', secret).update(`${ts}:${payload}`).digest('hex')}`;
}

async function sdkValid(signature: string, payload: string): Promise<boolean> {
  vi.useFakeTimers({ now: at * 1000 });
  try {
    return await sdk.webhooks.isSignatureValid(payload, secret, signature);
  } finally {
    vi.useRealTimers();
  }
}

describe('paddle', () => {
  it.each([
    ['signed now', header(at), body],
    ['signed 4 s ago', header(at - 4), body],
    ['signed 10 s ago', header(at - 10), body],
    ['over another body', header(at), body.replace('paid', 'billed')],
  ])('agrees with the Paddle SDK on a notification %s', async (_label, signature, payload) => {
    // Act
    const ours = paddle.verify({
      request: signedRequest({ headers: { 'paddle-signature': signature }, body: payload }),
      source: { provider: 'paddle', secrets: [secret] },
      nowSeconds: at,
    });

    // Assess
    expect(ours.ok).toBe(await sdkValid(signature, payload));
    if (ours.ok) expect(ours.deliveryId).toBe('ntf_01h');
  });
});
