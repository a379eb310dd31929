import { createHmac } from 'node:crypto';
import { Signature } from '@hubspot/api-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hubSpotUri, hubspot } from '../../../../../lambdas/core/signatures/providers/hubspot.ts';
import type { SourceVerification } from '../../../../../lambdas/core/signatures/types.ts';
import { arbitraryRequest, webhookRequest } from './support/requests.ts';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const OTHER_SECRET = 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz';
const URL_ = 'https://hooks.example.com/v1/hooks/agent-1/hubspot?portal=62515';
const BODY =
  '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';

const source = (secrets: readonly string[] = [SECRET], toleranceSeconds?: number): SourceVerification => ({
  provider: 'hubspot',
  secrets,
  ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
});

interface V3Spec {
  readonly url?: string;
  readonly signedUrl?: string;
  readonly body?: string;
  readonly timestampMs: number;
  readonly secret?: string;
  readonly method?: string;
}

function v3Headers(spec: V3Spec): Record<string, string> {
  const signature = Signature.getSignature(spec.method ?? 'POST', 'v3', {
    signature: '',
    clientSecret: spec.secret ?? SECRET,
    requestBody: spec.body ?? BODY,
    url: spec.signedUrl ?? spec.url ?? URL_,
    timestamp: spec.timestampMs,
  });
  return { 'X-HubSpot-Signature-v3': signature, 'X-HubSpot-Request-Timestamp': String(spec.timestampMs) };
}

function verify(
  headers: Record<string, string>,
  nowSeconds: number,
  url = URL_,
  body = BODY,
  secrets?: readonly string[],
) {
  const request = webhookRequest({ url, headers: { 'Content-Type': 'application/json', ...headers }, body });
  return hubspot.verify({ request, source: source(secrets), nowSeconds });
}

describe('hubspot v3', () => {
  const nowMs = Date.now();
  const now = nowMs / 1000;

  it('accepts a request the HubSpot SDK accepts', () => {
    // Prepare
    const headers = v3Headers({ timestampMs: nowMs - 1000 });
    // Act
    const result = verify(headers, now);
    // Assess
    expect(
      Signature.isValid({
        signature: headers['X-HubSpot-Signature-v3']!,
        clientSecret: SECRET,
        requestBody: BODY,
        url: URL_,
        method: 'POST',
        signatureVersion: 'v3',
        timestamp: nowMs - 1000,
      }),
    ).toBe(true);
    expect(result).toEqual({ ok: true, scheme: 'hubspot-v3', secretIndex: 0 });
  });

  it('rejects a tampered body and the same JSON re-serialised', () => {
    const headers = v3Headers({ timestampMs: nowMs });
    expect(verify(headers, now, URL_, BODY.replace('"objectId":123', '"objectId":124'))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
    expect(verify(headers, now, URL_, JSON.stringify(JSON.parse(BODY), null, 1))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('rejects a signature made with another client secret', () => {
    expect(verify(v3Headers({ timestampMs: nowMs, secret: OTHER_SECRET }), now)).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('tries every configured secret and reports which one matched', () => {
    const headers = v3Headers({ timestampMs: nowMs, secret: OTHER_SECRET });
    expect(verify(headers, now, URL_, BODY, [SECRET, OTHER_SECRET])).toMatchObject({
      ok: true,
      secretIndex: 1,
    });
  });

  it('signs the method: a POST signature does not verify a PUT', () => {
    const headers = v3Headers({ timestampMs: nowMs });
    const request = webhookRequest({ url: URL_, method: 'PUT', headers, body: BODY });
    expect(hubspot.verify({ request, source: source(), nowSeconds: now })).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('rejects a timestamp older than five minutes, as the SDK does', () => {
    const stale = nowMs - 301_000;
    const headers = v3Headers({ timestampMs: stale });
    expect(() =>
      Signature.isValid({
        signature: headers['X-HubSpot-Signature-v3']!,
        clientSecret: SECRET,
        requestBody: BODY,
        url: URL_,
        signatureVersion: 'v3',
        timestamp: stale,
      }),
    ).toThrow('Timestamp is invalid');
    expect(verify(headers, now)).toEqual({ ok: false, reason: 'timestamp too old' });
  });

  it('rejects a timestamp more than five minutes in the future', () => {
    expect(verify(v3Headers({ timestampMs: nowMs + 301_000 }), now)).toEqual({
      ok: false,
      reason: 'timestamp in the future',
    });
  });

  it("honours a source's tolerance", () => {
    const headers = v3Headers({ timestampMs: nowMs - 120_000 });
    const request = webhookRequest({ url: URL_, headers, body: BODY });
    expect(hubspot.verify({ request, source: source([SECRET], 60), nowSeconds: now })).toEqual({
      ok: false,
      reason: 'timestamp too old',
    });
  });

  it('signs the URI with the documented characters decoded', () => {
    const url =
      'https://hooks.example.com/v1/hooks/agent-1/hubspot?next=https%3A%2F%2Fapp.example.com%2Fa%3Fb%3D1&who=%40me%21%24%27%28%29%2a%2C%3b&sp=a%20b';
    const decoded =
      "https://hooks.example.com/v1/hooks/agent-1/hubspot?next=https://app.example.com/a?b%3D1&who=@me!$'()*,;&sp=a%20b";
    expect(hubSpotUri(url)).toBe(decoded);
    const headers = v3Headers({ timestampMs: nowMs, url, signedUrl: decoded });
    expect(verify(headers, now, url)).toMatchObject({ ok: true, scheme: 'hubspot-v3' });
  });

  it.each([
    ['another host', 'https://other.example.com/v1/hooks/agent-1/hubspot?portal=62515'],
    ['another path', 'https://hooks.example.com/v1/hooks/agent-2/hubspot?portal=62515'],
    ['another query', 'https://hooks.example.com/v1/hooks/agent-1/hubspot?portal=1'],
  ])('binds the signature to the public URL: %s fails', (_, url) => {
    expect(verify(v3Headers({ timestampMs: nowMs }), now, url)).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('never falls back to v1 when the v3 header is present but wrong', () => {
    const v1 = Signature.getSignature('POST', 'v1', {
      signature: '',
      clientSecret: SECRET,
      requestBody: BODY,
    });
    const headers = {
      'X-HubSpot-Signature-v3': Buffer.alloc(32).toString('base64'),
      'X-HubSpot-Request-Timestamp': String(nowMs),
      'X-HubSpot-Signature': v1,
      'X-HubSpot-Signature-Version': 'v1',
    };
    expect(verify(headers, now)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it.each([
    ['no timestamp', { 'X-HubSpot-Signature-v3': 'AAAA' }, 'missing x-hubspot-request-timestamp header'],
    [
      'a timestamp in seconds with a fraction',
      { 'X-HubSpot-Signature-v3': 'AAAA', 'X-HubSpot-Request-Timestamp': '1700000000.5' },
      'malformed x-hubspot-request-timestamp header',
    ],
    [
      'a duplicated timestamp',
      { 'X-HubSpot-Signature-v3': 'AAAA', 'X-HubSpot-Request-Timestamp': '1, 2' },
      'duplicated x-hubspot-request-timestamp header',
    ],
    [
      'a signature that is not base64',
      { 'X-HubSpot-Signature-v3': 'not base64!', 'X-HubSpot-Request-Timestamp': '1700000000000' },
      'malformed x-hubspot-signature-v3 header',
    ],
    [
      'a signature of the wrong length',
      { 'X-HubSpot-Signature-v3': Buffer.alloc(31).toString('base64'), 'X-HubSpot-Request-Timestamp': '1' },
      'malformed x-hubspot-signature-v3 header',
    ],
    [
      'a duplicated signature',
      { 'X-HubSpot-Signature-v3': 'AAAA, AAAA', 'X-HubSpot-Request-Timestamp': '1' },
      'duplicated x-hubspot-signature-v3 header',
    ],
    [
      'v3 announced without its header',
      { 'X-HubSpot-Signature-Version': 'v3' },
      'missing x-hubspot-signature-v3 header',
    ],
    ['no signature at all', {}, 'missing x-hubspot-signature-v3 header'],
  ])('rejects %s', (_, headers, reason) => {
    expect(verify(headers, now)).toEqual({ ok: false, reason });
  });
});

describe('hubspot v1 and v2', () => {
  const now = 1_750_000_000;

  it("accepts HubSpot's documented v1 example", () => {
    const headers = {
      'X-HubSpot-Signature': '232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de',
      'X-HubSpot-Signature-Version': 'v1',
    };
    expect(verify(headers, now)).toEqual({ ok: true, scheme: 'hubspot-v1', secretIndex: 0 });
  });

  it("accepts HubSpot's documented v2 examples", () => {
    const get = webhookRequest({
      url: 'https://www.example.com/webhook_uri',
      method: 'GET',
      headers: {
        'X-HubSpot-Signature': 'eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e',
        'X-HubSpot-Signature-Version': 'v2',
      },
    });
    const post = webhookRequest({
      url: 'https://www.example.com/webhook_uri',
      headers: {
        'X-HubSpot-Signature': '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900',
        'X-HubSpot-Signature-Version': 'v2',
      },
      body: '{"example_field":"example_value"}',
    });
    expect(hubspot.verify({ request: get, source: source(), nowSeconds: now })).toMatchObject({
      ok: true,
      scheme: 'hubspot-v2',
    });
    expect(hubspot.verify({ request: post, source: source(), nowSeconds: now })).toMatchObject({
      ok: true,
      scheme: 'hubspot-v2',
    });
  });

  it('agrees with the SDK on v1 and v2 for random bodies, methods and URLs', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 120 }),
        fc.constantFrom('POST', 'GET', 'PUT'),
        fc.webUrl({ withQueryParameters: true }),
        fc.constantFrom('v1', 'v2'),
        (body, method, url, version) => {
          const signature = Signature.getSignature(method, version, {
            signature: '',
            clientSecret: SECRET,
            requestBody: body,
            url,
          });
          const request = webhookRequest({
            url,
            method,
            headers: { 'X-HubSpot-Signature': signature, 'X-HubSpot-Signature-Version': version },
            body,
          });
          expect(hubspot.verify({ request, source: source(), nowSeconds: now })).toEqual({
            ok: true,
            scheme: `hubspot-${version}`,
            secretIndex: 0,
          });
        },
      ),
    );
  });

  it('binds v2 to the URL and method, v1 to the body only', () => {
    const v2 = Signature.getSignature('POST', 'v2', {
      signature: '',
      clientSecret: SECRET,
      requestBody: BODY,
      url: URL_,
    });
    const v2Headers = { 'X-HubSpot-Signature': v2, 'X-HubSpot-Signature-Version': 'v2' };
    expect(verify(v2Headers, now, `${URL_}&x=1`)).toEqual({ ok: false, reason: 'signature does not match' });
    const v1 = Signature.getSignature('POST', 'v1', {
      signature: '',
      clientSecret: SECRET,
      requestBody: BODY,
    });
    const v1Headers = { 'X-HubSpot-Signature': v1, 'X-HubSpot-Signature-Version': 'v1' };
    expect(verify(v1Headers, now, `${URL_}&x=1`)).toMatchObject({ ok: true });
    expect(verify(v1Headers, now, URL_, `${BODY} `)).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('rejects a v1 signature under another secret, and matches a rotated one', () => {
    const v1 = Signature.getSignature('POST', 'v1', {
      signature: '',
      clientSecret: OTHER_SECRET,
      requestBody: BODY,
    });
    const headers = { 'X-HubSpot-Signature': v1, 'X-HubSpot-Signature-Version': 'v1' };
    expect(verify(headers, now)).toEqual({ ok: false, reason: 'signature does not match' });
    expect(verify(headers, now, URL_, BODY, [SECRET, OTHER_SECRET])).toMatchObject({
      ok: true,
      secretIndex: 1,
    });
  });

  it.each([
    [{ 'X-HubSpot-Signature': 'ab' }, 'missing x-hubspot-signature-version header'],
    [{ 'X-HubSpot-Signature': 'ab', 'X-HubSpot-Signature-Version': 'v9' }, 'unsupported signature version'],
    [
      { 'X-HubSpot-Signature': 'zz'.repeat(32), 'X-HubSpot-Signature-Version': 'v1' },
      'malformed x-hubspot-signature header',
    ],
    [
      { 'X-HubSpot-Signature': 'ab'.repeat(31), 'X-HubSpot-Signature-Version': 'v1' },
      'malformed x-hubspot-signature header',
    ],
    [
      { 'X-HubSpot-Signature': 'ab, cd', 'X-HubSpot-Signature-Version': 'v2' },
      'duplicated x-hubspot-signature header',
    ],
  ])('rejects malformed v1/v2 headers %#', (headers, reason) => {
    expect(verify(headers, now)).toEqual({ ok: false, reason });
  });
});

describe('hubspot robustness', () => {
  it('never throws on random headers, URLs and bodies', () => {
    fc.assert(
      fc.property(
        arbitraryRequest([
          'x-hubspot-signature-v3',
          'x-hubspot-request-timestamp',
          'x-hubspot-signature',
          'x-hubspot-signature-version',
        ]),
        (request) => {
          const result = hubspot.verify({
            request,
            source: source([SECRET, OTHER_SECRET]),
            nowSeconds: 1_750_000_000,
          });
          expect(result.ok).toBe(false);
        },
      ),
    );
  });

  it('signs method, decoded URI, body and millisecond timestamp, in that order', () => {
    const url = 'https://h.example.com/x?a=%3A';
    const timestamp = 1_750_000_000_000;
    const expected = createHmac('sha256', SECRET)
      .update(`POSThttps://h.example.com/x?a=:${BODY}${timestamp}`)
      .digest('base64');
    const headers = { 'X-HubSpot-Signature-v3': expected, 'X-HubSpot-Request-Timestamp': String(timestamp) };
    expect(verify(headers, 1_750_000_000, url)).toMatchObject({ ok: true });
  });
});
