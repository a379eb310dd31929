import { describe, expect, it } from 'vitest';
import { forwardHeaders, isReservedHeader } from '../../../agent/forward/forwardHeaders.ts';

const identity = { deliveryId: 'delivery-1', envelopeId: 'envelope-1' };

describe('forwardHeaders', () => {
  it('keeps end-to-end headers and adds Idempotency-Key and X-ClawPulsar-Delivery', () => {
    const headers = forwardHeaders(
      {
        'content-type': 'application/json',
        'x-hub-signature-256': 'sha256=ab',
        'user-agent': 'GitHub-Hookshot/1',
      },
      undefined,
      identity,
    );
    expect(headers).toEqual({
      'content-type': 'application/json',
      'x-hub-signature-256': 'sha256=ab',
      'user-agent': 'GitHub-Hookshot/1',
      'Idempotency-Key': 'delivery-1',
      'X-ClawPulsar-Delivery': 'envelope-1',
    });
  });

  it('drops hop-by-hop, host, framing and spoofed delivery headers', () => {
    const headers = forwardHeaders(
      {
        connection: 'keep-alive, x-keep',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        trailer: 'x',
        upgrade: 'h2c',
        'proxy-authorization': 'Basic x',
        host: 'ingress.example',
        'content-length': '999',
        'idempotency-key': 'spoofed',
        'X-ClawPulsar-Delivery': 'spoofed',
        'x-keep': 'kept',
      },
      undefined,
      identity,
    );
    expect(headers).toEqual({
      'x-keep': 'kept',
      'Idempotency-Key': 'delivery-1',
      'X-ClawPulsar-Delivery': 'envelope-1',
    });
  });

  it('lets route headers replace an original header of the same name, whatever its case', () => {
    const headers = forwardHeaders(
      { authorization: 'Bearer from-provider', 'content-type': 'text/plain' },
      { Authorization: 'Bearer openclaw' },
      identity,
    );
    expect(headers).toEqual({
      'content-type': 'text/plain',
      Authorization: 'Bearer openclaw',
      'Idempotency-Key': 'delivery-1',
      'X-ClawPulsar-Delivery': 'envelope-1',
    });
  });

  it('keeps a header literally named __proto__ as a header', () => {
    const original = Object.fromEntries([['__proto__', 'x']]) as Record<string, string>;
    const headers = forwardHeaders(original, undefined, identity);
    expect(Object.keys(headers)).toContain('__proto__');
  });
});

describe('isReservedHeader', () => {
  it.each([
    'Host',
    'connection',
    'Transfer-Encoding',
    'proxy-anything',
    'Content-Length',
    'Idempotency-Key',
    'x-clawpulsar-delivery',
  ])('%s is reserved', (name) => expect(isReservedHeader(name)).toBe(true));
  it.each(['Authorization', 'X-OpenClaw-Token', 'content-type'])('%s is not', (name) =>
    expect(isReservedHeader(name)).toBe(false),
  );
});
