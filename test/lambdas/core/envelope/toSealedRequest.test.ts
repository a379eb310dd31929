import { describe, expect, it } from 'vitest';
import { isHopByHopHeader, toSealedRequest } from '../../../../lambdas/core/envelope/index.ts';
import type { WebhookRequest } from '../../../../lambdas/core/WebhookRequest.ts';

function aWebhookRequest(headers: Record<string, string>): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://hooks.example.com/v1/hooks/laptop/stripe?x=1',
    path: '/v1/hooks/laptop/stripe',
    query: 'x=1',
    headers,
    body: Buffer.from('{"id":"evt_1","type":"invoice.paid"}'),
  };
}

describe('toSealedRequest', () => {
  it('removes hop-by-hop headers and host, and keeps signature, content and delivery headers', () => {
    // Prepare
    const request = aWebhookRequest({
      connection: 'keep-alive, x-custom',
      'keep-alive': 'timeout=5',
      'proxy-authorization': 'Basic cHJveHk6cHJveHk=',
      'proxy-connection': 'keep-alive',
      te: 'trailers',
      trailer: 'expires',
      'transfer-encoding': 'chunked',
      upgrade: 'h2c',
      host: 'hooks.example.com',
      'content-type': 'application/json; charset=utf-8',
      'content-length': '37',
      'stripe-signature': 't=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
      'x-hub-signature-256': 'sha256=abc',
      'webhook-id': 'msg_1',
      'user-agent': 'Stripe/1.0',
      'x-custom': 'named by Connection, still carried',
    });

    // Act
    const sealed = toSealedRequest(request);

    // Assess
    expect(sealed.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      'content-length': '37',
      'stripe-signature': request.headers['stripe-signature'],
      'x-hub-signature-256': 'sha256=abc',
      'webhook-id': 'msg_1',
      'user-agent': 'Stripe/1.0',
      'x-custom': 'named by Connection, still carried',
    });
  });

  it('carries method, path, query and the very same body bytes', () => {
    // Prepare
    const request = aWebhookRequest({ 'content-type': 'application/json' });

    // Act
    const sealed = toSealedRequest(request);

    // Assess
    expect([sealed.method, sealed.path, sealed.query]).toEqual(['POST', '/v1/hooks/laptop/stripe', 'x=1']);
    expect(sealed.body).toBe(request.body);
  });

  it('keeps a header named __proto__ as an own header', () => {
    const sealed = toSealedRequest(aWebhookRequest(Object.fromEntries([['__proto__', 'x']])));
    expect(Object.keys(sealed.headers)).toEqual(['__proto__']);
  });

  it.each([
    ['Connection', true],
    ['PROXY-Authenticate', true],
    ['Host', true],
    ['x-proxy-id', false],
    ['content-type', false],
    ['hostname', false],
  ])('judges %s hop-by-hop: %s', (name, expected) => {
    expect(isHopByHopHeader(name)).toBe(expected);
  });
});
