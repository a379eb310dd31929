import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailgun } from '../../../../../lambdas/core/signatures/providers/mailgun.ts';
import type { SourceVerification } from '../../../../../lambdas/core/signatures/types.ts';
import { arbitraryRequest, webhookRequest } from './support/requests.ts';

const KEY = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const PARENT_KEY = 'key-parent-account-0000000000000000';
const OLD_KEY = 'key-previous-webhook-signing-0000000';
const URL_ = 'https://hooks.example.com/v1/hooks/agent-1/mailgun';
const NOW = 1_770_920_800;
const TIMESTAMP = '1770920772';
const TOKEN = 'e0b5477167110d68991efc6b9f89f0a11066af27834600e123';
const JSON_TYPE = { 'Content-Type': 'application/json' };
const FORM_TYPE = { 'Content-Type': 'application/x-www-form-urlencoded' };

// Mailgun's documented check: hex HMAC-SHA256 of timestamp + token under the webhook signing key.
const documentedSignature = (key: string, timestamp: string, token: string) =>
  createHmac('sha256', key).update(timestamp.concat(token)).digest('hex');

function jsonBody(signature: Record<string, unknown>, eventId = 'CPgfbmQMTCKtHW6uIWtuVe'): string {
  return JSON.stringify({
    signature,
    'event-data': {
      event: 'delivered',
      id: eventId,
      timestamp: 1770920772.5,
      recipient: 'alice@example.com',
    },
  });
}
const signedJson = (key = KEY, timestamp = TIMESTAMP, token = TOKEN) =>
  jsonBody({ timestamp, token, signature: documentedSignature(key, timestamp, token) });

const source = (secrets: readonly string[] = [KEY], toleranceSeconds?: number): SourceVerification => ({
  provider: 'mailgun',
  secrets,
  ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
});
function verify(
  body: string | Uint8Array,
  headers: Record<string, string> = JSON_TYPE,
  secrets?: readonly string[],
  nowSeconds = NOW,
) {
  return mailgun.verify({
    request: webhookRequest({ url: URL_, headers, body }),
    source: source(secrets),
    nowSeconds,
  });
}

describe('mailgun JSON webhooks', () => {
  it('accepts the documented signature, with the signed token as delivery id', () => {
    // Act
    const result = verify(signedJson());
    // Assess
    expect(result).toEqual({ ok: true, scheme: 'mailgun-json', secretIndex: 0, deliveryId: TOKEN });
  });

  it('accepts a numeric timestamp', () => {
    const body = jsonBody({
      timestamp: Number(TIMESTAMP),
      token: TOKEN,
      signature: documentedSignature(KEY, TIMESTAMP, TOKEN),
    });
    expect(verify(body)).toMatchObject({ ok: true });
  });

  it('rejects a changed token or timestamp', () => {
    const signature = documentedSignature(KEY, TIMESTAMP, TOKEN);
    expect(verify(jsonBody({ timestamp: TIMESTAMP, token: `${TOKEN.slice(0, -1)}4`, signature }))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
    expect(verify(jsonBody({ timestamp: String(Number(TIMESTAMP) + 1), token: TOKEN, signature }))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('leaves event-data outside the signature, as Mailgun does, so the token is the dedupe key', () => {
    const signature = {
      timestamp: TIMESTAMP,
      token: TOKEN,
      signature: documentedSignature(KEY, TIMESTAMP, TOKEN),
    };
    const other = verify(jsonBody(signature, 'another-event-id'));
    expect(other).toEqual({ ok: true, scheme: 'mailgun-json', secretIndex: 0, deliveryId: TOKEN });
  });

  it('rejects another signing key, and matches a rotated one', () => {
    expect(verify(signedJson(OLD_KEY))).toEqual({ ok: false, reason: 'signature does not match' });
    expect(verify(signedJson(OLD_KEY), JSON_TYPE, [KEY, OLD_KEY])).toMatchObject({
      ok: true,
      secretIndex: 1,
    });
  });

  it("accepts a subaccount event through the parent account's signature", () => {
    const body = jsonBody({
      timestamp: TIMESTAMP,
      token: TOKEN,
      signature: documentedSignature('key-of-the-subaccount-not-configured', TIMESTAMP, TOKEN),
      'parent-signature': documentedSignature(PARENT_KEY, TIMESTAMP, TOKEN),
    });
    expect(verify(body, JSON_TYPE, [PARENT_KEY])).toEqual({
      ok: true,
      scheme: 'mailgun-json',
      secretIndex: 0,
      deliveryId: TOKEN,
    });
  });

  it('allows 8 hours back for retries and 5 minutes ahead for skew', () => {
    const at = Number(TIMESTAMP);
    expect(verify(signedJson(), JSON_TYPE, [KEY], at + 8 * 3600)).toMatchObject({ ok: true });
    expect(verify(signedJson(), JSON_TYPE, [KEY], at + 8 * 3600 + 1)).toEqual({
      ok: false,
      reason: 'timestamp too old',
    });
    expect(verify(signedJson(), JSON_TYPE, [KEY], at - 300)).toMatchObject({ ok: true });
    expect(verify(signedJson(), JSON_TYPE, [KEY], at - 301)).toEqual({
      ok: false,
      reason: 'timestamp in the future',
    });
  });

  it("honours a source's tighter tolerance both ways", () => {
    const at = Number(TIMESTAMP);
    const request = webhookRequest({ url: URL_, headers: JSON_TYPE, body: signedJson() });
    expect(mailgun.verify({ request, source: source([KEY], 60), nowSeconds: at + 61 })).toEqual({
      ok: false,
      reason: 'timestamp too old',
    });
    expect(mailgun.verify({ request, source: source([KEY], 60), nowSeconds: at - 61 })).toEqual({
      ok: false,
      reason: 'timestamp in the future',
    });
  });

  it.each([
    ['not JSON', '{"signature":', 'body is not a JSON object'],
    ['a JSON array', '[1]', 'body is not a JSON object'],
    ['no signature object', '{"event-data":{}}', 'malformed signature object'],
    [
      'a timestamp with a fraction',
      jsonBody({ timestamp: '1770920772.5', token: TOKEN, signature: 'ab' }),
      'malformed signature object',
    ],
    [
      'a negative timestamp',
      jsonBody({ timestamp: -1, token: TOKEN, signature: 'ab' }),
      'malformed signature object',
    ],
    [
      'a token with spaces',
      jsonBody({ timestamp: TIMESTAMP, token: 'a b', signature: 'ab' }),
      'malformed signature object',
    ],
    [
      'an oversized token',
      jsonBody({ timestamp: TIMESTAMP, token: 'a'.repeat(257), signature: 'ab' }),
      'malformed signature object',
    ],
    [
      'a signature that is not hex',
      jsonBody({ timestamp: TIMESTAMP, token: TOKEN, signature: 'zz'.repeat(32) }),
      'malformed signature field',
    ],
    [
      'a signature of 31 bytes',
      jsonBody({ timestamp: TIMESTAMP, token: TOKEN, signature: 'ab'.repeat(31) }),
      'malformed signature field',
    ],
    [
      'a signature that is a number',
      jsonBody({ timestamp: TIMESTAMP, token: TOKEN, signature: 12 }),
      'malformed signature object',
    ],
  ])('rejects %s', (_, body, reason) => {
    expect(verify(body)).toEqual({ ok: false, reason });
  });

  it('refuses to parse a body over 1 MiB', () => {
    const huge = `${signedJson().slice(0, -1)},"pad":"${'x'.repeat(1024 * 1024)}"}`;
    expect(verify(huge)).toEqual({ ok: false, reason: 'body too large to read the signature' });
  });

  it.each([['multipart/form-data; boundary=x'], ['text/plain']])('refuses a %s body', (type) => {
    expect(verify(signedJson(), { 'Content-Type': type })).toEqual({
      ok: false,
      reason: 'unsupported content type',
    });
  });

  it('refuses a body without a Content-Type', () => {
    expect(verify(signedJson(), {})).toEqual({ ok: false, reason: 'unsupported content type' });
  });
});

describe('mailgun legacy form posts', () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const signedForm = (key = KEY) =>
    form({
      domain: 'mg.example.com',
      event: 'delivered',
      timestamp: TIMESTAMP,
      token: TOKEN,
      signature: documentedSignature(key, TIMESTAMP, TOKEN),
      'Message-Id': '<20260101.1@mg.example.com>',
    });

  it('accepts the top-level timestamp, token and signature fields', () => {
    expect(verify(signedForm(), FORM_TYPE)).toEqual({
      ok: true,
      scheme: 'mailgun-form',
      secretIndex: 0,
      deliveryId: TOKEN,
    });
  });

  it('rejects another key', () => {
    expect(verify(signedForm(OLD_KEY), FORM_TYPE)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuses a field sent twice rather than choosing one', () => {
    const body = `${signedForm()}&signature=${documentedSignature(OLD_KEY, TIMESTAMP, TOKEN)}`;
    expect(verify(body, FORM_TYPE)).toEqual({ ok: false, reason: 'duplicated signature field' });
  });

  it('rejects a form without the fields', () => {
    expect(verify(form({ event: 'delivered' }), FORM_TYPE)).toEqual({
      ok: false,
      reason: 'malformed signature fields',
    });
  });

  it('does not read JSON fields from a form post', () => {
    expect(verify(signedJson(), FORM_TYPE)).toEqual({ ok: false, reason: 'malformed signature fields' });
  });
});

describe('mailgun robustness', () => {
  it('never throws on random headers, URLs and bodies', () => {
    fc.assert(
      fc.property(arbitraryRequest([]), (request) => {
        expect(mailgun.verify({ request, source: source(), nowSeconds: NOW }).ok).toBe(false);
      }),
    );
  });

  it('never throws on random signature objects', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            timestamp: fc.jsonValue(),
            token: fc.jsonValue(),
            signature: fc.jsonValue(),
            'parent-signature': fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded'),
        (signature, type) => {
          const body =
            type === 'application/json'
              ? jsonBody(signature)
              : // JSON text, not String(v): a generated object may carry a "toString" key that String() trips on.
                new URLSearchParams(
                  Object.entries(signature).map(([k, v]) => [
                    k,
                    typeof v === 'string' ? v : JSON.stringify(v),
                  ]),
                ).toString();
          expect(verify(body, { 'Content-Type': type }).ok).toBe(false);
        },
      ),
    );
  });
});
