import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeEnvelopeHeader, parseEnvelope } from '../../../../lambdas/core/envelope/envelopeFormat.ts';
import {
  type EnvelopeBinding,
  generateSealingKeyPair,
  openEnvelope,
  sealRequest,
} from '../../../../lambdas/core/envelope/index.ts';
import { ClawPulsarError, EnvelopeError } from '../../../../lambdas/core/errors.ts';
import { aBinding, aRequest } from './envelopeFactories.ts';

const laptop = generateSealingKeyPair();
const server = generateSealingKeyPair();
const binding = aBinding({ agentId: 'laptop' });
const envelope = sealRequest({ recipientPublicKey: laptop.publicKey, binding, request: aRequest() });

const open = (bytes: Uint8Array, key = laptop.privateKey, expectedAgentId = 'laptop') =>
  openEnvelope({ recipientPrivateKey: key, envelope: bytes, expectedAgentId });

/** The code of the EnvelopeError `act` throws; fails the test if it returns or throws anything else. */
function errorCode(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    return (error as EnvelopeError).code;
  }
  return expect.fail('expected an EnvelopeError, but the envelope opened');
}

/** The same enc and ciphertext under a header rewritten with `changes`. */
function relabel(sealed: Uint8Array, changes: Partial<EnvelopeBinding>): Buffer {
  const parsed = parseEnvelope(sealed);
  return Buffer.concat([
    encodeEnvelopeHeader({ ...parsed.binding, ...changes }, parsed.enc),
    parsed.ciphertext,
  ]);
}

describe('openEnvelope', () => {
  it('opens an envelope addressed to the expected agent with its key', () => {
    // Act
    const opened = open(envelope);

    // Assess
    expect(opened.binding).toEqual(binding);
    expect(Buffer.from(opened.request.body).equals(aRequest().body)).toBe(true);
    expect(opened.request.headers).toEqual(aRequest().headers);
  });

  it('fails on a change to any single byte: header, binding, enc, ciphertext or tag', () => {
    for (let position = 0; position < envelope.length; position++) {
      // Prepare
      const tampered = Buffer.from(envelope);
      tampered[position]! ^= 0x01;

      // Act
      const code = errorCode(() => open(tampered));

      // Assess
      expect(
        ['malformed', 'unsupported_version', 'unsupported_suite', 'wrong_agent', 'decrypt_failed'],
        `byte ${position}`,
      ).toContain(code);
    }
  });

  it.each([
    ['another delivery', { deliveryId: 'another-delivery' }],
    ['another source', { sourceId: 'stripe' }],
    ['another receive time', { receivedAt: binding.receivedAt + 1 }],
    ['another envelope id', { envelopeId: 'another-envelope' }],
  ])('cannot be replayed as %s', (_name, changes) => {
    expect(errorCode(() => open(relabel(envelope, changes)))).toBe('decrypt_failed');
  });

  it('refuses an envelope addressed to another agent before trying to decrypt it', () => {
    expect(errorCode(() => open(envelope, laptop.privateKey, 'server'))).toBe('wrong_agent');
  });

  it('cannot be moved to another agent by relabelling it, even to one holding the same key', () => {
    expect(errorCode(() => open(relabel(envelope, { agentId: 'server' }), laptop.privateKey, 'server'))).toBe(
      'decrypt_failed',
    );
    expect(errorCode(() => open(relabel(envelope, { agentId: 'server' }), server.privateKey, 'server'))).toBe(
      'decrypt_failed',
    );
  });

  it('does not open with another recipient key', () => {
    expect(errorCode(() => open(envelope, server.privateKey))).toBe('decrypt_failed');
  });

  it('does not open a header spliced onto another envelope of the same agent', () => {
    // Prepare
    const other = parseEnvelope(
      sealRequest({ recipientPublicKey: laptop.publicKey, binding, request: aRequest() }),
    );
    const mine = parseEnvelope(envelope);

    // Act
    const spliced = Buffer.concat([mine.header, other.ciphertext]);

    // Assess
    expect(errorCode(() => open(spliced))).toBe('decrypt_failed');
  });

  it('fails with a typed error, never a crash, at every truncation', () => {
    const headerLength = parseEnvelope(envelope).header.length;
    for (let length = 0; length < envelope.length; length++) {
      const code = errorCode(() => open(envelope.subarray(0, length)));
      const expected = length < headerLength + 16 ? ['truncated', 'malformed'] : ['decrypt_failed'];
      expect(expected, `length ${length}`).toContain(code);
    }
  });

  it('fails when bytes are appended', () => {
    expect(errorCode(() => open(Buffer.concat([envelope, Buffer.of(0)])))).toBe('decrypt_failed');
  });

  it('refuses a private key that is not 32 bytes', () => {
    expect(errorCode(() => open(envelope, laptop.privateKey.subarray(0, 31)))).toBe('invalid_key');
    expect(errorCode(() => open(envelope, Buffer.concat([laptop.privateKey, Buffer.of(0)])))).toBe(
      'invalid_key',
    );
  });

  it('refuses an enc that is a low-order point', () => {
    // Prepare
    const parsed = parseEnvelope(envelope);
    const zeroEnc = Buffer.concat([
      encodeEnvelopeHeader(parsed.binding, new Uint8Array(32)),
      parsed.ciphertext,
    ]);

    // Act, Assess
    expect(errorCode(() => open(zeroEnc))).toBe('decrypt_failed');
  });

  it('only ever throws EnvelopeError for arbitrary bytes, with or without a valid prefix', () => {
    const prefix = envelope.subarray(0, 18);
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 400 }), (withPrefix, tail) => {
        const bytes = withPrefix ? Buffer.concat([prefix, tail]) : tail;
        errorCode(() => open(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('says nothing about the plaintext or keys in its errors', () => {
    // Prepare
    const canary = 'canary-0b1d2e-plaintext';
    const sealed = sealRequest({
      recipientPublicKey: laptop.publicKey,
      binding,
      request: aRequest({ body: Buffer.from(canary), headers: { 'x-canary': canary } }),
    });

    // Act
    let caught: unknown;
    try {
      open(sealed, server.privateKey);
    } catch (error) {
      caught = error;
    }

    // Assess
    const error = caught as ClawPulsarError;
    const said = `${error.message} ${JSON.stringify(error.data)}`;
    expect(error).toBeInstanceOf(ClawPulsarError);
    expect(error.status).toBe(400);
    expect(said).not.toContain(canary);
    expect(said).not.toContain(Buffer.from(server.privateKey).toString('hex'));
    expect(said).not.toContain(Buffer.from(server.privateKey).toString('base64url'));
  });
});
