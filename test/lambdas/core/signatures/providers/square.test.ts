import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { WebhooksHelper } from 'square';
import { describe, expect, it } from 'vitest';
import { square } from '../../../../../lambdas/core/signatures/providers/square.ts';
import type { SourceVerification } from '../../../../../lambdas/core/signatures/types.ts';
import { arbitraryRequest, webhookRequest } from './support/requests.ts';

const KEY = 'sq0-signature-key-Gv7bUhYtRkPxe3q';
const OLD_KEY = 'sq0-signature-key-previous-0001';
const URL_ = 'https://hooks.example.com/v1/hooks/agent-1/square?env=prod';
const NOW = 1_750_000_000;
const BODY =
  '{"merchant_id":"6SSW7HV8K2ST5","type":"payment.updated","event_id":"13b867cf-db3d-4b1c-90b6-2f32a9d78124","created_at":"2026-02-01T10:00:00Z","data":{"type":"payment","id":"KkAkhdMs","object":{"payment":{"amount_money":{"amount":100,"currency":"USD"}}}}}';

const source = (secrets: readonly string[] = [KEY]): SourceVerification => ({ provider: 'square', secrets });
const sign = (key: string, url: string, body: string) =>
  createHmac('sha256', key)
    .update(url + body)
    .digest('base64');

function verify(url: string, signature: string, body = BODY, secrets?: readonly string[]) {
  const request = webhookRequest({
    url,
    headers: { 'Content-Type': 'application/json', 'x-square-hmacsha256-signature': signature },
    body,
  });
  return square.verify({ request, source: source(secrets), nowSeconds: NOW });
}

const oracle = (url: string, signature: string, body = BODY, key = KEY) =>
  WebhooksHelper.verifySignature({
    requestBody: body,
    signatureHeader: signature,
    signatureKey: key,
    notificationUrl: url,
  });

describe('square', () => {
  it('accepts a notification signed over its URL and raw body, as the Square SDK checks it', async () => {
    // Prepare
    const signature = sign(KEY, URL_, BODY);
    // Act
    const result = verify(URL_, signature);
    // Assess
    expect(await oracle(URL_, signature)).toBe(true);
    expect(result).toEqual({
      ok: true,
      scheme: 'square-hmac-sha256',
      secretIndex: 0,
      deliveryId: '13b867cf-db3d-4b1c-90b6-2f32a9d78124',
    });
  });

  it('rejects a tampered body', async () => {
    const signature = sign(KEY, URL_, BODY);
    const tampered = BODY.replace('"amount":100', '"amount":900');
    expect(await oracle(URL_, signature, tampered)).toBe(false);
    expect(verify(URL_, signature, tampered)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('rejects the same JSON re-serialised', async () => {
    const signature = sign(KEY, URL_, BODY);
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(await oracle(URL_, signature, reserialised)).toBe(false);
    expect(verify(URL_, signature, reserialised)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('rejects a notification signed with another key', async () => {
    const signature = sign(OLD_KEY, URL_, BODY);
    expect(await oracle(URL_, signature)).toBe(false);
    expect(verify(URL_, signature)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('tries every configured key and reports which one matched', () => {
    const signature = sign(OLD_KEY, URL_, BODY);
    expect(verify(URL_, signature, BODY, [KEY, OLD_KEY])).toMatchObject({ ok: true, secretIndex: 1 });
  });

  it.each([
    ['another host', 'https://other.example.com/v1/hooks/agent-1/square?env=prod'],
    ['another path', 'https://hooks.example.com/v1/hooks/agent-2/square?env=prod'],
    ['another query', 'https://hooks.example.com/v1/hooks/agent-1/square?env=test'],
    ['the default port spelled out', 'https://hooks.example.com:443/v1/hooks/agent-1/square?env=prod'],
    ['plain http', 'http://hooks.example.com/v1/hooks/agent-1/square?env=prod'],
  ])('binds the signature to the exact public URL: %s fails', async (_, url) => {
    const signature = sign(KEY, URL_, BODY);
    expect(await oracle(url, signature)).toBe(false);
    expect(verify(url, signature)).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('leaves the delivery id out when the body carries no event_id', () => {
    const body = '{"type":"test"}';
    expect(verify(URL_, sign(KEY, URL_, body), body)).toEqual({
      ok: true,
      scheme: 'square-hmac-sha256',
      secretIndex: 0,
    });
  });

  it.each([
    ['missing', {}, 'missing x-square-hmacsha256-signature header'],
    ['blank', { 'x-square-hmacsha256-signature': '  ' }, 'empty x-square-hmacsha256-signature header'],
    [
      'duplicated',
      { 'x-square-hmacsha256-signature': 'AAAA, AAAA' },
      'duplicated x-square-hmacsha256-signature header',
    ],
    [
      'garbage',
      { 'x-square-hmacsha256-signature': '%%%%' },
      'malformed x-square-hmacsha256-signature header',
    ],
    [
      'SHA-1 sized',
      { 'x-square-hmacsha256-signature': Buffer.alloc(20).toString('base64') },
      'malformed x-square-hmacsha256-signature header',
    ],
  ])('rejects a %s signature header', (_, headers, reason) => {
    const request = webhookRequest({ url: URL_, headers, body: BODY });
    expect(square.verify({ request, source: source(), nowSeconds: NOW })).toEqual({ ok: false, reason });
  });

  it('agrees with the SDK on random bodies and URLs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.webUrl({ withQueryParameters: true }),
        async (body, url) => {
          const signature = sign(KEY, url, body);
          expect(verify(url, signature, body).ok).toBe(await oracle(url, signature, body));
          expect(verify(URL_, signature, body).ok).toBe(url === URL_);
        },
      ),
    );
  });

  it('never throws on random headers, URLs and bodies', () => {
    fc.assert(
      fc.property(arbitraryRequest(['x-square-hmacsha256-signature']), (request) => {
        const result = square.verify({ request, source: source(), nowSeconds: NOW });
        expect(result.ok).toBe(false);
      }),
    );
  });
});
