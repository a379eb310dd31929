import { createHash } from 'node:crypto';
import fc from 'fast-check';
import twilioSdk from 'twilio';
import { describe, expect, it } from 'vitest';
import { twilio, urlSpellings } from '../../../../../lambdas/core/signatures/providers/twilio.ts';
import type { SourceVerification } from '../../../../../lambdas/core/signatures/types.ts';
import { arbitraryRequest, webhookRequest } from './support/requests.ts';

const AUTH_TOKEN = '12345678901234567890123456789012';
const OLD_TOKEN = 'abcdefabcdefabcdefabcdefabcdefab';
const URL_ = 'https://hooks.example.com/v1/hooks/agent-1/twilio-sms?tenant=acme';
const NOW = 1_750_000_000;
const PARAMS = {
  AccountSid: 'AC0000000000000000000000000000000a',
  Body: 'Hello & welcome: ünïcode + spaces',
  From: '+14158675310',
  MessageSid: 'SM0000000000000000000000000000000b',
  To: '+14155551212',
};
const FORM_BODY = new URLSearchParams(PARAMS).toString();
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' };

const source = (secrets: readonly string[] = [AUTH_TOKEN]): SourceVerification => ({
  provider: 'twilio',
  secrets,
});

function verifyForm(url: string, signature: string, body = FORM_BODY, secrets?: readonly string[]) {
  const request = webhookRequest({ url, headers: { ...FORM, 'X-Twilio-Signature': signature }, body });
  return twilio.verify({ request, source: source(secrets), nowSeconds: NOW });
}

describe('twilio form posts', () => {
  it('accepts a form post signed over the URL and sorted parameters, as the SDK signs it', () => {
    // Prepare
    const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, URL_, PARAMS);
    // Act
    const result = verifyForm(URL_, signature);
    // Assess
    expect(twilioSdk.validateRequest(AUTH_TOKEN, signature, URL_, PARAMS)).toBe(true);
    expect(result).toEqual({ ok: true, scheme: 'twilio-form', secretIndex: 0 });
  });

  it('rejects a tampered parameter, like the SDK', () => {
    const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, URL_, PARAMS);
    const tampered = { ...PARAMS, Body: 'Hello & welcome: ünïcode + spaceS' };
    const result = verifyForm(URL_, signature, new URLSearchParams(tampered).toString());
    expect(twilioSdk.validateRequest(AUTH_TOKEN, signature, URL_, tampered)).toBe(false);
    expect(result).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('signs repeated parameter names by their sorted distinct values, like the SDK', () => {
    const body = 'MediaUrl=b&To=%2B1&MediaUrl=a&MediaUrl=b';
    const params = { MediaUrl: ['b', 'a', 'b'], To: '+1' };
    const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, URL_, params);
    expect(verifyForm(URL_, signature, body)).toMatchObject({ ok: true, scheme: 'twilio-form' });
  });

  it('rejects the right parameters under the wrong Auth Token', () => {
    const signature = twilioSdk.getExpectedTwilioSignature(OLD_TOKEN, URL_, PARAMS);
    expect(verifyForm(URL_, signature)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('tries every configured token and reports which one matched', () => {
    const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, URL_, PARAMS);
    expect(verifyForm(URL_, signature, FORM_BODY, [OLD_TOKEN, AUTH_TOKEN])).toMatchObject({
      ok: true,
      secretIndex: 1,
    });
  });

  it('returns the idempotency token as the delivery id', () => {
    const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, URL_, PARAMS);
    const request = webhookRequest({
      url: URL_,
      headers: { ...FORM, 'X-Twilio-Signature': signature, 'I-Twilio-Idempotency-Token': 'c0ffee-0001' },
      body: FORM_BODY,
    });
    expect(twilio.verify({ request, source: source(), nowSeconds: NOW })).toMatchObject({
      deliveryId: 'c0ffee-0001',
    });
  });

  it('agrees with the SDK on random parameters and URLs', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 24 }), {
          maxKeys: 6,
        }),
        fc.webUrl({ withQueryParameters: true, validSchemes: ['https'] }),
        (params, url) => {
          const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, url, params);
          const result = verifyForm(url, signature, new URLSearchParams(params).toString());
          expect(result.ok).toBe(twilioSdk.validateRequest(AUTH_TOKEN, signature, url, params));
          expect(result.ok).toBe(true);
        },
      ),
    );
  });
});

describe('twilio JSON posts', () => {
  const body = '{"event":"message.delivered","sid":"SM1","nested":{"a":[1,2,3]}}';
  const hash = createHash('sha256').update(body).digest('hex');
  const url = `${URL_}&bodySHA256=${hash}`;
  const json = { 'Content-Type': 'application/json' };

  it('accepts a JSON body whose hash is in the signed URL, as validateRequestWithBody does', () => {
    const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, url, {});
    const request = webhookRequest({ url, headers: { ...json, 'X-Twilio-Signature': signature }, body });
    const result = twilio.verify({ request, source: source(), nowSeconds: NOW });
    expect(twilioSdk.validateRequestWithBody(AUTH_TOKEN, signature, url, body)).toBe(true);
    expect(result).toEqual({ ok: true, scheme: 'twilio-json', secretIndex: 0 });
  });

  it('rejects the same JSON re-serialised with different whitespace', () => {
    const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, url, {});
    const reserialised = JSON.stringify(JSON.parse(body), null, 1);
    const request = webhookRequest({
      url,
      headers: { ...json, 'X-Twilio-Signature': signature },
      body: reserialised,
    });
    expect(twilioSdk.validateRequestWithBody(AUTH_TOKEN, signature, url, reserialised)).toBe(false);
    expect(twilio.verify({ request, source: source(), nowSeconds: NOW })).toEqual({
      ok: false,
      reason: 'body does not match bodySHA256',
    });
  });

  it('refuses a JSON body when the URL carries no bodySHA256, since nothing signs it', () => {
    const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, URL_, {});
    const request = webhookRequest({
      url: URL_,
      headers: { ...json, 'X-Twilio-Signature': signature },
      body,
    });
    expect(twilio.verify({ request, source: source(), nowSeconds: NOW })).toEqual({
      ok: false,
      reason: 'body not covered by the signature (no bodySHA256)',
    });
  });

  it('rejects a bodySHA256 that is not a SHA-256 hex digest', () => {
    const badUrl = `${URL_}&bodySHA256=abc`;
    const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, badUrl, {});
    const request = webhookRequest({
      url: badUrl,
      headers: { ...json, 'X-Twilio-Signature': signature },
      body,
    });
    expect(twilio.verify({ request, source: source(), nowSeconds: NOW })).toEqual({
      ok: false,
      reason: 'malformed bodySHA256',
    });
  });

  it('accepts a bodiless GET signed over its URL alone', () => {
    const getUrl = `${URL_}&CallSid=CA1&From=%2B1415`;
    const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, getUrl, {});
    const request = webhookRequest({
      url: getUrl,
      method: 'GET',
      headers: { 'X-Twilio-Signature': signature },
    });
    expect(twilio.verify({ request, source: source(), nowSeconds: NOW })).toEqual({
      ok: true,
      scheme: 'twilio-url',
      secretIndex: 0,
    });
  });
});

describe('twilio URL binding', () => {
  const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, URL_, PARAMS);

  it.each([
    ['another host', 'https://evil.example.com/v1/hooks/agent-1/twilio-sms?tenant=acme'],
    ['another path', 'https://hooks.example.com/v1/hooks/agent-2/twilio-sms?tenant=acme'],
    ['another query', 'https://hooks.example.com/v1/hooks/agent-1/twilio-sms?tenant=acme2'],
    ['no query', 'https://hooks.example.com/v1/hooks/agent-1/twilio-sms'],
    ['plain http', 'http://hooks.example.com/v1/hooks/agent-1/twilio-sms?tenant=acme'],
  ])('rejects a signature made for the public URL when the request names %s', (_, url) => {
    expect(twilioSdk.validateRequest(AUTH_TOKEN, signature, url, PARAMS)).toBe(false);
    expect(verifyForm(url, signature)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('accepts a signature over the URL with the default port when the request arrived without it', () => {
    const ported = 'https://hooks.example.com:443/v1/hooks/agent-1/twilio-sms?tenant=acme';
    const portedSignature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, ported, PARAMS);
    expect(twilioSdk.validateRequest(AUTH_TOKEN, portedSignature, URL_, PARAMS)).toBe(true);
    expect(verifyForm(URL_, portedSignature)).toMatchObject({ ok: true });
  });

  it('accepts a signature over the URL without the port when the request arrived with it', () => {
    const ported = 'https://hooks.example.com:443/v1/hooks/agent-1/twilio-sms?tenant=acme';
    expect(twilioSdk.validateRequest(AUTH_TOKEN, signature, ported, PARAMS)).toBe(true);
    expect(verifyForm(ported, signature)).toMatchObject({ ok: true });
  });

  it('does not accept another port', () => {
    const other = 'https://hooks.example.com:8443/v1/hooks/agent-1/twilio-sms?tenant=acme';
    const otherSignature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, other, PARAMS);
    expect(verifyForm(URL_, otherSignature)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('accepts the spellings the SDK accepts for a query with special characters', () => {
    const raw = "https://hooks.example.com/v1/hooks/a/s?name=O'Brien&x=a b";
    for (const spelling of urlSpellings(raw)) {
      const spelledSignature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, spelling, PARAMS);
      expect(twilioSdk.validateRequest(AUTH_TOKEN, spelledSignature, raw, PARAMS)).toBe(true);
      expect(verifyForm(raw, spelledSignature)).toMatchObject({ ok: true });
    }
  });

  it('spells any string without throwing, lone surrogates and broken escapes included', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.webUrl({ withQueryParameters: true })),
        (url) => {
          const spellings = [...urlSpellings(`${url}\ud800?a=%ZZ&b=\udfff`)];
          expect(spellings[0]).toBe(`${url}\ud800?a=%ZZ&b=\udfff`);
          expect(new Set(spellings).size).toBe(spellings.length);
        },
      ),
    );
  });

  it('verifies a signed request whose URL holds a lone surrogate, as the SDK does', () => {
    const url = 'https://hooks.example.com/v1/hooks/a/s?name=\ud800';
    const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, url, PARAMS);
    expect(twilioSdk.validateRequest(AUTH_TOKEN, signature, url, PARAMS)).toBe(true);
    expect(verifyForm(url, signature)).toMatchObject({ ok: true });
  });

  it('lists the exact URL first and keeps IPv6 literals intact', () => {
    expect([...urlSpellings('https://[::1]/hook')]).toEqual(['https://[::1]/hook', 'https://[::1]:443/hook']);
    expect(urlSpellings('http://user@h:8080/p?q').next().value).toBe('http://user@h:8080/p?q');
  });
});

describe('twilio SharedKey signatures', () => {
  const SHARED_KEY = 'shared-key-secret-for-webhooks-rule';
  const settings = {
    'X-Twilio-Webhooks-Signature-Settings': 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256',
  };

  it('verifies HMAC-SHA256 when the settings header names it', () => {
    const signature = twilioSdk.getExpectedTwilioSignature(SHARED_KEY, URL_, PARAMS, 'HMAC_SHA256');
    const request = webhookRequest({
      url: URL_,
      headers: { ...FORM, ...settings, 'X-Twilio-Signature': signature },
      body: FORM_BODY,
    });
    const result = twilio.verify({ request, source: source([AUTH_TOKEN, SHARED_KEY]), nowSeconds: NOW });
    expect(twilioSdk.validateRequest(SHARED_KEY, signature, URL_, PARAMS, 'HMAC_SHA256')).toBe(true);
    expect(result).toEqual({ ok: true, scheme: 'twilio-form-sha256', secretIndex: 1 });
  });

  it('refuses an algorithm it does not know', () => {
    const request = webhookRequest({
      url: URL_,
      headers: {
        ...FORM,
        'X-Twilio-Webhooks-Signature-Settings': 'algorithm=HMAC_MD5',
        'X-Twilio-Signature': 'AAAA',
      },
      body: FORM_BODY,
    });
    expect(twilio.verify({ request, source: source(), nowSeconds: NOW })).toEqual({
      ok: false,
      reason: 'unsupported signature algorithm',
    });
  });

  it('rejects a SHA-1 length signature when SHA-256 is announced', () => {
    const signature = twilioSdk.getExpectedTwilioSignature(SHARED_KEY, URL_, PARAMS);
    const request = webhookRequest({
      url: URL_,
      headers: { ...FORM, ...settings, 'X-Twilio-Signature': signature },
      body: FORM_BODY,
    });
    expect(twilio.verify({ request, source: source([SHARED_KEY]), nowSeconds: NOW })).toEqual({
      ok: false,
      reason: 'malformed x-twilio-signature header',
    });
  });
});

describe('twilio bad input', () => {
  const signature = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, URL_, PARAMS);

  it.each([
    ['missing', {}, 'missing x-twilio-signature header'],
    ['blank', { 'X-Twilio-Signature': ' ' }, 'empty x-twilio-signature header'],
    [
      'duplicated',
      { 'X-Twilio-Signature': `${signature}, ${signature}` },
      'duplicated x-twilio-signature header',
    ],
    ['garbage base64', { 'X-Twilio-Signature': '!!not*base64!!' }, 'malformed x-twilio-signature header'],
    ['too short', { 'X-Twilio-Signature': 'AAAAAAAAAAAAAAAA' }, 'malformed x-twilio-signature header'],
    [
      'too long',
      { 'X-Twilio-Signature': `${signature.slice(0, -1)}AAAAAAAA` },
      'malformed x-twilio-signature header',
    ],
  ])('rejects a %s signature header', (_, headers, reason) => {
    const request = webhookRequest({ url: URL_, headers: { ...FORM, ...headers }, body: FORM_BODY });
    expect(twilio.verify({ request, source: source(), nowSeconds: NOW })).toEqual({ ok: false, reason });
  });

  it('matches nothing when no token is configured', () => {
    expect(verifyForm(URL_, signature, FORM_BODY, [])).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('never throws on random headers, URLs and bodies', () => {
    fc.assert(
      fc.property(
        arbitraryRequest(['x-twilio-signature', 'x-twilio-webhooks-signature-settings']),
        (request) => {
          const result = twilio.verify({ request, source: source([AUTH_TOKEN, '']), nowSeconds: NOW });
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
        },
      ),
    );
  });
});
