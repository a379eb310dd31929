import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ENVELOPE_VERSION,
  encodeEnvelopeHeader,
  MAX_BINDING_FIELD_BYTES,
  parseEnvelope,
} from '../../../../lambdas/core/envelope/envelopeFormat.ts';
import type { EnvelopeBinding } from '../../../../lambdas/core/envelope/index.ts';
import { EnvelopeError } from '../../../../lambdas/core/errors.ts';
import { aBinding, arbitraryBinding } from './envelopeFactories.ts';

const ENC = Buffer.alloc(32, 0xee);
const TAG_AND_MORE = Buffer.alloc(20, 0xcc);
// magic (3) + version (1) + suite (6) + receivedAt (8): the agentId length prefix starts here.
const AGENT_ID_LENGTH_AT = 18;

const anEnvelope = (binding: EnvelopeBinding = aBinding()) =>
  Buffer.concat([encodeEnvelopeHeader(binding, ENC), TAG_AND_MORE]);

function errorOf(act: () => unknown): EnvelopeError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    return error as EnvelopeError;
  }
  return expect.fail('expected an EnvelopeError');
}

describe('envelope header', () => {
  it('parses back the binding, enc, header and ciphertext it was built from', () => {
    fc.assert(
      fc.property(
        arbitraryBinding(),
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        (binding, ciphertext) => {
          // Prepare
          const header = encodeEnvelopeHeader(binding, ENC);

          // Act
          const parsed = parseEnvelope(Buffer.concat([header, ciphertext]));

          // Assess
          expect(parsed.binding).toEqual(binding);
          expect(Buffer.from(parsed.enc).equals(ENC)).toBe(true);
          expect(Buffer.from(parsed.header).equals(header)).toBe(true);
          expect(Buffer.from(parsed.ciphertext).equals(ciphertext)).toBe(true);
        },
      ),
    );
  });

  it('encodes different bindings to different headers, even when their fields concatenate alike', () => {
    // Prepare
    const a = aBinding({ agentId: 'ab', sourceId: 'c' });
    const b = aBinding({ agentId: 'a', sourceId: 'bc' });

    // Act, Assess
    expect(encodeEnvelopeHeader(a, ENC).equals(encodeEnvelopeHeader(b, ENC))).toBe(false);
    fc.assert(
      fc.property(arbitraryBinding(), arbitraryBinding(), (x, y) => {
        fc.pre(JSON.stringify(x) !== JSON.stringify(y));
        expect(encodeEnvelopeHeader(x, ENC).equals(encodeEnvelopeHeader(y, ENC))).toBe(false);
      }),
    );
  });

  it('carries receive times up to the largest safe integer', () => {
    const binding = aBinding({ receivedAt: Number.MAX_SAFE_INTEGER });
    expect(parseEnvelope(anEnvelope(binding)).binding.receivedAt).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([
    ['an empty agentId', { agentId: '' }],
    ['a deliveryId over the bound', { deliveryId: 'd'.repeat(MAX_BINDING_FIELD_BYTES + 1) }],
    ['a sourceId over the bound in UTF-8 bytes', { sourceId: 'é'.repeat(MAX_BINDING_FIELD_BYTES / 2 + 1) }],
    ['a non-string envelopeId', { envelopeId: 42 as unknown as string }],
    ['a negative receivedAt', { receivedAt: -1 }],
    ['a fractional receivedAt', { receivedAt: 1.5 }],
    ['a NaN receivedAt', { receivedAt: Number.NaN }],
    ['a receivedAt past the safe integers', { receivedAt: 2 ** 53 }],
  ])('refuses to encode %s', (_name, changes) => {
    expect(errorOf(() => encodeEnvelopeHeader(aBinding(changes), ENC)).code).toBe('invalid_binding');
  });

  it('refuses an enc that is not 32 bytes rather than leave header bytes unwritten', () => {
    expect(() => encodeEnvelopeHeader(aBinding(), new Uint8Array(31))).toThrow(RangeError);
  });

  it('accepts a field of exactly the bound', () => {
    const binding = aBinding({ deliveryId: 'd'.repeat(MAX_BINDING_FIELD_BYTES) });
    expect(parseEnvelope(anEnvelope(binding)).binding).toEqual(binding);
  });
});

describe('parseEnvelope on hostile input', () => {
  it('refuses bytes that do not start with the magic', () => {
    const bytes = anEnvelope();
    bytes[0] = 0x00;
    expect(errorOf(() => parseEnvelope(bytes)).code).toBe('malformed');
  });

  it.each([0, 2, 255])('refuses version %i as unsupported', (version) => {
    // Prepare
    const bytes = anEnvelope();
    bytes[3] = version;

    // Act
    const error = errorOf(() => parseEnvelope(bytes));

    // Assess
    expect(error.code).toBe('unsupported_version');
    expect(error.data).toEqual({ version, supported: [ENVELOPE_VERSION] });
  });

  it.each([
    ['kem', 4],
    ['kdf', 6],
    ['aead', 8],
  ])('refuses another %s id as an unsupported suite', (_name, at) => {
    const bytes = anEnvelope();
    bytes.writeUInt16BE(0x0001 + bytes.readUInt16BE(at), at);
    expect(errorOf(() => parseEnvelope(bytes)).code).toBe('unsupported_suite');
  });

  it('refuses a receive time past the safe integers', () => {
    const bytes = anEnvelope();
    bytes.writeUInt32BE(0x0020_0000, 10);
    expect(errorOf(() => parseEnvelope(bytes)).code).toBe('malformed');
  });

  it.each([
    ['zero', 0],
    ['one over the bound', MAX_BINDING_FIELD_BYTES + 1],
    ['the largest a prefix can say', 0xffff],
  ])('refuses a field length of %s as malformed before reading it', (_name, length) => {
    const bytes = anEnvelope();
    bytes.writeUInt16BE(length, AGENT_ID_LENGTH_AT);
    expect(errorOf(() => parseEnvelope(bytes)).code).toBe('malformed');
  });

  it('refuses a field that is not valid UTF-8', () => {
    // Prepare: agentId 'laptop' becomes 6 bytes with a lone continuation byte.
    const bytes = anEnvelope(aBinding({ agentId: 'laptop' }));
    bytes[AGENT_ID_LENGTH_AT + 2] = 0x80;

    // Act, Assess
    expect(errorOf(() => parseEnvelope(bytes)).code).toBe('malformed');
  });

  it('keeps a leading byte order mark in a field as data', () => {
    const binding = aBinding({ deliveryId: '\uFEFFdelivery' });
    expect(parseEnvelope(anEnvelope(binding)).binding.deliveryId).toBe('\uFEFFdelivery');
  });

  it('calls every prefix of a header, and a missing tag, truncated', () => {
    const header = encodeEnvelopeHeader(aBinding(), ENC);
    for (let length = 0; length < header.length + 16; length++) {
      const bytes = Buffer.concat([header, TAG_AND_MORE]).subarray(0, length);
      expect(errorOf(() => parseEnvelope(bytes)).code, `length ${length}`).toBe('truncated');
    }
  });

  it('only ever throws EnvelopeError for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          parseEnvelope(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(EnvelopeError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
