import { describe, expect, it } from 'vitest';
import {
  bodyBytes,
  parseApiGatewayEvent,
  readJsonBody,
  toWebhookRequest,
} from '../../../../lambdas/handlers/support/apiGatewayEvent.ts';
import { httpApiEvent } from '../../../support/awsEvents.ts';

describe('API Gateway HTTP API events', () => {
  it('rebuilds the URL from the API domain when no public base is configured', () => {
    // Prepare
    const event = parseApiGatewayEvent(
      httpApiEvent({
        method: 'POST',
        rawPath: '/v1/hooks/laptop/sms',
        rawQueryString: 'a=1&b=%20x',
        domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      }),
    );

    // Act
    const request = toWebhookRequest(event);

    // Assess
    expect(request.url).toBe(
      'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/hooks/laptop/sms?a=1&b=%20x',
    );
    expect(request.path).toBe('/v1/hooks/laptop/sms');
    expect(request.query).toBe('a=1&b=%20x');
    expect(request.method).toBe('POST');
  });

  it('adds no "?" when there is no query', () => {
    const event = parseApiGatewayEvent(httpApiEvent({ method: 'POST', rawPath: '/v1/hooks/a-1/b-1' }));
    expect(toWebhookRequest(event, 'https://hooks.example.com').url).toBe(
      'https://hooks.example.com/v1/hooks/a-1/b-1',
    );
  });

  it('takes base64 bodies as the bytes the client sent, text bodies as UTF-8, and no body as empty', () => {
    // Prepare
    const bytes = new Uint8Array([0, 255, 1, 128, 10]);

    // Act
    const binary = bodyBytes(
      parseApiGatewayEvent(httpApiEvent({ method: 'POST', rawPath: '/x', body: bytes })),
    );
    const text = bodyBytes(
      parseApiGatewayEvent(httpApiEvent({ method: 'POST', rawPath: '/x', body: 'héllo' })),
    );
    const none = bodyBytes(parseApiGatewayEvent(httpApiEvent({ method: 'POST', rawPath: '/x' })));

    // Assess
    expect([...binary]).toEqual([...bytes]);
    expect(text.toString('utf8')).toBe('héllo');
    expect(none.byteLength).toBe(0);
  });

  it('lower-cases header names and rejoins the cookies API Gateway moved out of the headers', () => {
    // Prepare
    const event = parseApiGatewayEvent({
      ...httpApiEvent({ method: 'POST', rawPath: '/x', headers: { 'X-Signature': 'a,b' } }),
      cookies: ['a=1', 'b=2'],
    });

    // Act
    const { headers } = toWebhookRequest(event);

    // Assess
    expect(headers['x-signature']).toBe('a,b');
    expect(headers.cookie).toBe('a=1; b=2');
  });

  it.each([
    ['payload format 1.0', { version: '1.0', httpMethod: 'POST', path: '/x' }],
    ['no request context', { version: '2.0', rawPath: '/x', rawQueryString: '', isBase64Encoded: false }],
    ['not an object', 'POST /x'],
  ])('refuses %s', (_name, event) => {
    expect(() => parseApiGatewayEvent(event)).toThrow(
      expect.objectContaining({ code: 'invalid_event', status: 400 }),
    );
  });

  it('reads a JSON body only when it is JSON, typed as JSON and small', () => {
    const json = (body: string, type = 'application/json; charset=utf-8') =>
      readJsonBody(
        parseApiGatewayEvent(
          httpApiEvent({ method: 'POST', rawPath: '/x', headers: { 'content-type': type }, body }),
        ),
      );
    expect(json('{"a":1}')).toEqual({ a: 1 });
    expect(json('')).toBeUndefined();
    expect(() => json('{"a":1}', 'text/plain')).toThrow(expect.objectContaining({ status: 415 }));
    expect(() => json('{"a":')).toThrow(expect.objectContaining({ code: 'invalid_json', status: 400 }));
    expect(() => json(`"${'x'.repeat(70_000)}"`)).toThrow(expect.objectContaining({ status: 413 }));
  });
});
