import { sign, verify } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { github } from '../../../../../lambdas/core/signatures/providers/github.ts';
import { signedRequest } from '../support/signedRequest.ts';

const secret = "It's a Secret to Everybody";

describe('github', () => {
  it("verifies GitHub's documented example", () => {
    // From GitHub's "Validating webhook deliveries": payload "Hello, World!" with this secret.
    const result = github.verify({
      request: signedRequest({
        headers: {
          'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
          'x-github-delivery': 'd1',
        },
        body: 'Hello, World!',
      }),
      source: { provider: 'github', secrets: [secret] },
      nowSeconds: 0,
    });

    expect(result).toEqual({ ok: true, scheme: 'github-sha256', secretIndex: 0, deliveryId: 'd1' });
  });

  it('agrees with @octokit/webhooks-methods on signed and tampered bodies', async () => {
    const body = JSON.stringify({ action: 'opened', number: 1 });
    const signature = await sign(secret, body);
    const tampered = body.replace('opened', 'closed');

    for (const candidate of [body, tampered]) {
      const ours = github.verify({
        request: signedRequest({ headers: { 'x-hub-signature-256': signature }, body: candidate }),
        source: { provider: 'github', secrets: [secret] },
        nowSeconds: 0,
      }).ok;
      expect(ours).toBe(await verify(secret, candidate, signature));
    }
  });

  it('does not accept the legacy SHA-1 header on its own', async () => {
    const result = github.verify({
      request: signedRequest({ headers: { 'x-hub-signature': 'sha1=0000' }, body: 'x' }),
      source: { provider: 'github', secrets: [secret] },
      nowSeconds: 0,
    });

    expect(result).toEqual({ ok: false, reason: 'missing x-hub-signature-256 header' });
  });
});
