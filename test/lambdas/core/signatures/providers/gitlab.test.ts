import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { gitlab } from '../../../../../lambdas/core/signatures/providers/gitlab.ts';
import type { SourceVerification } from '../../../../../lambdas/core/signatures/types.ts';
import { arbitraryRequest, webhookRequest } from './support/requests.ts';

// A signing token as GitLab issues one: whsec_ and 32 random bytes in base64.
const signingToken = () => `whsec_${randomBytes(32).toString('base64')}`;
const SIGNING = signingToken();
const OTHER_SIGNING = signingToken();
const SECRET_TOKEN = 'glsecret, with a comma and spaces';
const URL_ = 'https://hooks.example.com/v1/hooks/agent-1/gitlab';
const NOW = 1_750_000_000;
const ID = 'c8d2ad17-4e1e-4f4b-9c2e-0f4b8a2f9e11';
const BODY =
  '{"object_kind":"push","event_name":"push","ref":"refs/heads/main","checkout_sha":"da1560886d4f094c3e6c9ef40349f7d38b5d27d7","project":{"id":15,"path_with_namespace":"group/project"},"commits":[]}';

const source = (secrets: readonly string[]): SourceVerification => ({ provider: 'gitlab', secrets });
function verify(headers: Record<string, string>, secrets: readonly string[], body = BODY, nowSeconds = NOW) {
  const request = webhookRequest({
    url: URL_,
    headers: { 'Content-Type': 'application/json', 'X-Gitlab-Event': 'Push Hook', ...headers },
    body,
  });
  return gitlab.verify({ request, source: source(secrets), nowSeconds });
}
function signedHeaders(token: string, at = NOW - 1, body = BODY, id = ID) {
  const signature = new Webhook(token).sign(id, new Date(at * 1000), body);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(at),
    'webhook-signature': signature,
    'Idempotency-Key': id,
  };
}

describe('gitlab signing token (Standard Webhooks)', () => {
  it('accepts a request signed with the signing token, as the standardwebhooks library verifies it', () => {
    // Prepare
    const headers = signedHeaders(SIGNING, Math.floor(Date.now() / 1000));
    // Act
    const result = verify(headers, [SIGNING], BODY, Math.floor(Date.now() / 1000));
    // Assess
    expect(new Webhook(SIGNING).verify(BODY, headers)).toMatchObject({ object_kind: 'push' });
    expect(result).toEqual({ ok: true, scheme: 'gitlab-signing-v1', secretIndex: 0, deliveryId: ID });
  });

  it('rejects a tampered body and the same JSON re-serialised', () => {
    const headers = signedHeaders(SIGNING);
    expect(verify(headers, [SIGNING], BODY.replace('main', 'prod'))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
    expect(verify(headers, [SIGNING], JSON.stringify(JSON.parse(BODY), null, 2))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('rejects another signing token, and maps a rotated one back to its index', () => {
    const headers = signedHeaders(OTHER_SIGNING);
    expect(verify(headers, [SIGNING])).toEqual({ ok: false, reason: 'signature does not match' });
    expect(verify(headers, [SECRET_TOKEN, SIGNING, OTHER_SIGNING])).toMatchObject({
      ok: true,
      secretIndex: 2,
    });
  });

  it('rejects stale and future timestamps', () => {
    expect(verify(signedHeaders(SIGNING, NOW - 301), [SIGNING])).toEqual({
      ok: false,
      reason: 'timestamp too old',
    });
    expect(verify(signedHeaders(SIGNING, NOW + 301), [SIGNING])).toEqual({
      ok: false,
      reason: 'timestamp in the future',
    });
  });

  it('binds the id and timestamp: changing either breaks the signature', () => {
    const headers = signedHeaders(SIGNING);
    expect(verify({ ...headers, 'webhook-id': 'another-id' }, [SIGNING])).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
    expect(verify({ ...headers, 'webhook-timestamp': String(NOW) }, [SIGNING])).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('accepts a header with several signatures when one is valid', () => {
    const forged = signedHeaders(OTHER_SIGNING)['webhook-signature'];
    const headers = signedHeaders(SIGNING);
    expect(
      verify({ ...headers, 'webhook-signature': `${forged} ${headers['webhook-signature']}` }, [SIGNING]),
    ).toMatchObject({
      ok: true,
    });
  });

  it('never falls back to X-Gitlab-Token when a signature is present', () => {
    const headers = { ...signedHeaders(OTHER_SIGNING), 'X-Gitlab-Token': SECRET_TOKEN };
    expect(verify(headers, [SECRET_TOKEN, SIGNING])).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('says so when a signature arrives but only secret tokens are configured', () => {
    expect(verify(signedHeaders(SIGNING), [SECRET_TOKEN])).toEqual({
      ok: false,
      reason: 'no signing token configured',
    });
  });

  it.each([
    ['no webhook-id', { 'webhook-id': undefined }, 'missing webhook-id header'],
    ['no webhook-timestamp', { 'webhook-timestamp': undefined }, 'missing webhook-timestamp header'],
    [
      'a timestamp in milliseconds',
      { 'webhook-timestamp': `${NOW}000` },
      'malformed webhook-timestamp header',
    ],
    ['a signature without version', { 'webhook-signature': 'AAAA' }, 'malformed webhook-signature header'],
    [
      'a signature that is not base64',
      { 'webhook-signature': 'v1,***' },
      'malformed webhook-signature header',
    ],
    [
      'a signature of the wrong length',
      { 'webhook-signature': `v1,${Buffer.alloc(31).toString('base64')}` },
      'signature does not match',
    ],
    ['a duplicated webhook-id', { 'webhook-id': `${ID}, ${ID}` }, 'duplicated webhook-id header'],
  ])('rejects %s', (_, change, reason) => {
    const headers: Record<string, string> = { ...signedHeaders(SIGNING) };
    for (const [name, value] of Object.entries(change)) {
      if (value === undefined) delete headers[name];
      else headers[name] = value;
    }
    expect(verify(headers, [SIGNING])).toEqual({ ok: false, reason });
  });
});

describe('gitlab secret token', () => {
  const tokenHeaders = {
    'X-Gitlab-Token': SECRET_TOKEN,
    'X-Gitlab-Event-UUID': 'b2b1f6b0-event',
    'Idempotency-Key': 'idem-1',
  };

  it('accepts the configured token, with the Idempotency-Key as delivery id', () => {
    expect(verify(tokenHeaders, [SECRET_TOKEN])).toEqual({
      ok: true,
      scheme: 'gitlab-token',
      secretIndex: 0,
      deliveryId: 'idem-1',
    });
  });

  it('falls back to X-Gitlab-Event-UUID as delivery id on older GitLab', () => {
    const { 'Idempotency-Key': _, ...older } = tokenHeaders;
    expect(verify(older, [SECRET_TOKEN])).toMatchObject({ ok: true, deliveryId: 'b2b1f6b0-event' });
  });

  it('compares the whole token, commas included, in any rotation position', () => {
    expect(verify(tokenHeaders, [SIGNING, 'old-token', SECRET_TOKEN])).toMatchObject({
      ok: true,
      secretIndex: 2,
    });
    expect(verify({ 'X-Gitlab-Token': 'glsecret' }, [SECRET_TOKEN])).toEqual({
      ok: false,
      reason: 'token does not match',
    });
  });

  it('rejects a wrong token', () => {
    expect(verify({ 'X-Gitlab-Token': 'guess' }, [SECRET_TOKEN])).toEqual({
      ok: false,
      reason: 'token does not match',
    });
  });

  it('never accepts a signing token sent as a plain token', () => {
    expect(verify({ 'X-Gitlab-Token': SIGNING }, [SIGNING])).toEqual({
      ok: false,
      reason: 'token does not match',
    });
  });

  it('rejects an empty token header and a request with neither header', () => {
    expect(verify({ 'X-Gitlab-Token': ' ' }, [SECRET_TOKEN])).toEqual({
      ok: false,
      reason: 'empty x-gitlab-token header',
    });
    expect(verify({}, [SECRET_TOKEN])).toEqual({
      ok: false,
      reason: 'missing x-gitlab-token or webhook-signature header',
    });
  });

  it('never throws on random headers, URLs and bodies', () => {
    fc.assert(
      fc.property(
        arbitraryRequest([
          'x-gitlab-token',
          'webhook-id',
          'webhook-timestamp',
          'webhook-signature',
          'idempotency-key',
        ]),
        (request) => {
          expect(
            gitlab.verify({ request, source: source([SECRET_TOKEN, SIGNING]), nowSeconds: NOW }).ok,
          ).toBe(false);
        },
      ),
    );
  });
});
