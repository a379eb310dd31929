import { createHmac } from 'node:crypto';
import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { linear } from '../../../../../lambdas/core/signatures/providers/linear.ts';
import { signedRequest } from '../support/signedRequest.ts';

const secret = 'lin_wh_0123456789abcdef0123456789abcdef';
const at = 1_767_225_600;

function delivery(sentAtMs: number) {
  const body = JSON.stringify({
    action: 'create',
    type: 'Issue',
    webhookTimestamp: sentAtMs,
    webhookId: 'wh-cfg',
  });
  const signature = createHmac('sha256', secret).update(body).digest('hex');
  return { body, signature };
}

function sdkAccepts(body: string, signature: string, nowMs: number): boolean {
  vi.useFakeTimers({ now: nowMs });
  try {
    return new LinearWebhookClient(secret).verify(Buffer.from(body), signature);
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}

afterEach(() => vi.useRealTimers());

describe('linear', () => {
  it.each([
    ['fresh', 0, true],
    ['59 s old', 59_000, true],
    ['61 s old', 61_000, false],
    ['61 s ahead', -61_000, false],
  ])('agrees with LinearWebhookClient on a delivery %s', (_label, ageMs, expected) => {
    // Prepare
    const { body, signature } = delivery(at * 1000 - ageMs);

    // Act
    const ours = linear.verify({
      request: signedRequest({ headers: { 'linear-signature': signature, 'linear-delivery': 'd-1' }, body }),
      source: { provider: 'linear', secrets: [secret] },
      nowSeconds: at,
    });

    // Assess
    expect(sdkAccepts(body, signature, at * 1000)).toBe(expected);
    expect(ours.ok).toBe(expected);
  });

  it('refuses an authentic body without webhookTimestamp, reading it only after the signature verified', () => {
    const body = '{"type":"Issue"}';
    const signature = createHmac('sha256', secret).update(body).digest('hex');

    const result = linear.verify({
      request: signedRequest({ headers: { 'linear-signature': signature }, body }),
      source: { provider: 'linear', secrets: [secret] },
      nowSeconds: at,
    });

    expect(result).toEqual({ ok: false, reason: 'missing webhookTimestamp in body' });
  });
});
