import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../../../lambdas/core/alerts/alertWebhookTarget.ts';
import { signStandardWebhook } from '../../../../lambdas/core/alerts/signStandardWebhook.ts';

describe('signStandardWebhook', () => {
  it('produces headers the official standardwebhooks library verifies, for any body', () => {
    const secret = newWebhookSecret();
    const webhook = new Webhook(secret);
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme' }),
        fc.stringMatching(/^msg_[A-Za-z0-9]{1,30}$/),
        (body, id) => {
          const now = Math.floor(Date.now() / 1000);
          const headers = signStandardWebhook(secret, id, now, JSON.stringify({ body }));
          expect(() => webhook.verify(JSON.stringify({ body }), { ...headers })).not.toThrow();
          expect(headers['webhook-signature']).toBe(
            webhook.sign(id, new Date(now * 1000), JSON.stringify({ body })),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('signs nothing the library would accept with another secret or a changed body', () => {
    const headers = signStandardWebhook(
      newWebhookSecret(),
      'msg_1',
      Math.floor(Date.now() / 1000),
      '{"a":1}',
    );

    expect(() => new Webhook(newWebhookSecret()).verify('{"a":1}', { ...headers })).toThrow();
  });

  it.each([
    ['without the whsec_ prefix', 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0'],
    ['shorter than 24 bytes', `whsec_${Buffer.alloc(16).toString('base64')}`],
  ])('refuses a secret %s', (_case, secret) => {
    expect(() => signStandardWebhook(secret, 'msg_1', 1, '{}')).toThrow(/Standard Webhooks secret/);
  });
});
