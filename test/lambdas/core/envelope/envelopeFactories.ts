import fc from 'fast-check';
import type { EnvelopeBinding, SealedRequest } from '../../../../lambdas/core/envelope/index.ts';

/** A binding as the ingress builds one. */
export function aBinding(overrides: Partial<EnvelopeBinding> = {}): EnvelopeBinding {
  return {
    agentId: 'laptop',
    sourceId: 'github',
    deliveryId: '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    receivedAt: 1_767_225_600_123,
    envelopeId: '0f0e5c1e-8f4b-4a53-9d4b-6f1c1f6f2f9a',
    ...overrides,
  };
}

/** A GitHub-style webhook after `toSealedRequest`. */
export function aRequest(overrides: Partial<SealedRequest> = {}): SealedRequest {
  return {
    method: 'POST',
    path: '/v1/hooks/laptop/github',
    query: '',
    headers: {
      'content-type': 'application/json',
      'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'x-github-event': 'push',
      'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    },
    body: Buffer.from('{"zen":"Keep it logically awesome.","hook_id":1}'),
    ...overrides,
  };
}

/**
 * Random binary bodies of 0..maxBytes, filled from a seed: fast to generate at 200 KB, and shrinking
 * towards short bodies.
 */
export function arbitraryBody(maxBytes: number): fc.Arbitrary<Uint8Array> {
  return fc.tuple(fc.nat({ max: maxBytes }), fc.integer()).map(([length, seed]) => {
    const body = new Uint8Array(length);
    let state = seed | 1;
    for (let i = 0; i < length; i++) {
      // xorshift32: any byte pattern, cheaply.
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      body[i] = state & 0xff;
    }
    return body;
  });
}

const text = fc.string({ unit: 'grapheme', maxLength: 40 });

/** Any request the codec must carry: odd methods, Unicode, `__proto__` names, empty and large bodies. */
export function arbitraryRequest(maxBodyBytes: number): fc.Arbitrary<SealedRequest> {
  return fc.record({
    method: fc.oneof(fc.constantFrom('POST', 'GET', 'PUT', 'PATCH', 'DELETE'), text),
    path: text,
    query: text,
    headers: fc
      .array(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'content-type', 'constructor'), text), text), {
        maxLength: 12,
      })
      .map((entries) => Object.fromEntries(entries)),
    body: arbitraryBody(maxBodyBytes),
  });
}

/** Any binding the format must carry. */
export function arbitraryBinding(): fc.Arbitrary<EnvelopeBinding> {
  const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 });
  return fc.record({
    agentId: id,
    sourceId: id,
    deliveryId: id,
    receivedAt: fc.maxSafeNat(),
    envelopeId: id,
  });
}
