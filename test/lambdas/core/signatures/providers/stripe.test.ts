import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { stripe } from '../../../../../lambdas/core/signatures/providers/stripe.ts';
import { signedRequest } from '../support/signedRequest.ts';

const sdk = new Stripe('sk_test_oracle');
const secret = 'whsec_test_5f1e2d3c4b5a69788796a5b4c3d2e1f0';
const at = 1_767_225_600;
const payload = JSON.stringify({ id: 'evt_3Q', object: 'event', type: 'charge.succeeded' }, null, 2);

function check(header: string, body: string, now: number) {
  return stripe.verify({
    request: signedRequest({ headers: { 'stripe-signature': header }, body }),
    source: { provider: 'stripe', secrets: [secret] },
    nowSeconds: now,
  });
}

function sdkAccepts(header: string, body: string, now: number): boolean {
  try {
    sdk.webhooks.constructEvent(body, header, secret, 300, undefined, now * 1000);
    return true;
  } catch {
    return false;
  }
}

describe('stripe', () => {
  it('agrees with constructEvent on what is authentic, and reads the event id after verifying', () => {
    // Prepare
    const header = sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp: at });

    // Act
    const result = check(header, payload, at);

    // Assess
    expect(sdkAccepts(header, payload, at)).toBe(true);
    expect(result).toEqual({ ok: true, scheme: 'stripe-v1', secretIndex: 0, deliveryId: 'evt_3Q' });
  });

  it('refuses what constructEvent refuses: a stale timestamp, a v0-only header, another body', () => {
    const header = sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp: at });
    const v0Only = header.replace('v1=', 'v0=');
    const cases: Array<[string, string, number]> = [
      [header, payload, at + 301],
      [v0Only, payload, at],
      [header, payload.replace('charge', 'refund'), at],
    ];

    for (const [h, body, now] of cases) {
      expect(sdkAccepts(h, body, now)).toBe(false);
      expect(check(h, body, now).ok).toBe(false);
    }
  });

  it('also refuses a timestamp from the future, which constructEvent lets through', () => {
    const header = sdk.webhooks.generateTestHeaderString({ payload, secret, timestamp: at + 301 });

    expect(check(header, payload, at)).toEqual({ ok: false, reason: 'timestamp in the future' });
  });

  it('leaves the delivery id out when the body is not a JSON event', () => {
    const body = 'not json';
    const header = sdk.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: at });

    expect(check(header, body, at)).toEqual({ ok: true, scheme: 'stripe-v1', secretIndex: 0 });
  });
});
