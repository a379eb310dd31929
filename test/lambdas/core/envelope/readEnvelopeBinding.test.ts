import { describe, expect, it } from 'vitest';
import {
  generateSealingKeyPair,
  readEnvelopeBinding,
  sealRequest,
} from '../../../../lambdas/core/envelope/index.ts';
import { EnvelopeError } from '../../../../lambdas/core/errors.ts';
import { aBinding, aRequest } from './envelopeFactories.ts';

describe('readEnvelopeBinding', () => {
  it('reads the binding of a sealed envelope without any key', () => {
    // Prepare
    const binding = aBinding({ agentId: 'home-lab', deliveryId: 'evt_1NQx', receivedAt: 1_700_000_000_000 });
    const envelope = sealRequest({
      recipientPublicKey: generateSealingKeyPair().publicKey,
      binding,
      request: aRequest(),
    });

    // Act
    const read = readEnvelopeBinding(envelope);

    // Assess
    expect(read).toEqual(binding);
  });

  it.each([
    ['empty bytes', new Uint8Array(0), 'truncated'],
    ['text', Buffer.from('{"agentId":"laptop"}'), 'malformed'],
    ['a future version', Buffer.from('CPE\u0002'), 'unsupported_version'],
  ])('refuses %s with a typed error', (_name, bytes, code) => {
    expect(() => readEnvelopeBinding(bytes)).toThrow(EnvelopeError);
    expect(() => readEnvelopeBinding(bytes)).toThrow(expect.objectContaining({ code }));
  });
});
