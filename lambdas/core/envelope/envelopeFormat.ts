import { EnvelopeError } from '../errors.ts';
import { ByteReader } from './ByteReader.ts';
import { AEAD_ID, KDF_ID, KEM_ID, N_ENC, N_T } from './hpke/hpkeSuite.ts';
import { keyScheduleContext } from './hpke/keySchedule.ts';
import type { EnvelopeBinding } from './types.ts';

/**
 * Envelope format, version 1 (integers big-endian, strings UTF-8):
 *
 *   magic "CPE" (3) | version = 1 (1) | kem_id (2) | kdf_id (2) | aead_id (2) | receivedAt ms (8)
 *   | u16 len + agentId | u16 len + sourceId | u16 len + deliveryId | u16 len + envelopeId | enc (32)
 *   | ciphertext || tag (16)
 *
 * Everything before the ciphertext is the header: in clear, so the queue and dispatcher can route without
 * a key, and exactly the AEAD's associated data, so changing any byte of it makes the envelope unopenable.
 * Each binding field has a length prefix, so no two bindings encode to the same bytes.
 */
export const ENVELOPE_VERSION = 1;

const MAGIC = Buffer.from('CPE', 'latin1');

/** Upper bound on each binding string, in UTF-8 bytes; ids are far shorter (agent ids: 63). */
export const MAX_BINDING_FIELD_BYTES = 1024;

/** HPKE `info` for every envelope: separates envelope keys from any other use of the recipient key. */
export const ENVELOPE_INFO: Uint8Array = Buffer.from('clawpulsar envelope v1', 'latin1');

/** The key schedule context of `ENVELOPE_INFO`, computed once rather than per envelope. */
export const ENVELOPE_KEY_SCHEDULE_CONTEXT: Uint8Array = keyScheduleContext(ENVELOPE_INFO);

const BINDING_STRINGS = ['agentId', 'sourceId', 'deliveryId', 'envelopeId'] as const;
const FIXED_HEADER_BYTES = MAGIC.length + 1 + 6 + 8 + 2 * BINDING_STRINGS.length + N_ENC;

/** A parsed envelope: its binding, and views of its parts (nothing copied). */
export interface ParsedEnvelope {
  readonly binding: EnvelopeBinding;
  readonly enc: Uint8Array;
  /** The header bytes, which are the associated data. */
  readonly header: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** Builds the header for `binding` and `enc`; throws `invalid_binding` for a binding it can't carry. */
export function encodeEnvelopeHeader(binding: EnvelopeBinding, enc: Uint8Array): Buffer {
  if (enc.byteLength !== N_ENC) throw new RangeError(`enc must be ${N_ENC} bytes`);
  if (!Number.isSafeInteger(binding.receivedAt) || binding.receivedAt < 0) {
    throw new EnvelopeError('invalid_binding', 'receivedAt must be a non-negative integer of milliseconds', {
      field: 'receivedAt',
    });
  }
  const lengths = BINDING_STRINGS.map((field) => {
    const value: unknown = binding[field];
    const length = typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : -1;
    if (length < 1 || length > MAX_BINDING_FIELD_BYTES) {
      throw new EnvelopeError(
        'invalid_binding',
        `${field} must be a string of 1 to ${MAX_BINDING_FIELD_BYTES} UTF-8 bytes`,
        { field, length },
      );
    }
    return length;
  });
  const header = Buffer.allocUnsafe(FIXED_HEADER_BYTES + lengths.reduce((sum, length) => sum + length, 0));
  let offset = MAGIC.copy(header, 0);
  offset = header.writeUInt8(ENVELOPE_VERSION, offset);
  offset = header.writeUInt16BE(KEM_ID, offset);
  offset = header.writeUInt16BE(KDF_ID, offset);
  offset = header.writeUInt16BE(AEAD_ID, offset);
  offset = header.writeUInt32BE(Math.floor(binding.receivedAt / 0x1_0000_0000), offset);
  offset = header.writeUInt32BE(binding.receivedAt >>> 0, offset);
  BINDING_STRINGS.forEach((field, i) => {
    offset = header.writeUInt16BE(lengths[i]!, offset);
    offset += header.write(binding[field], offset, 'utf8');
  });
  header.set(enc, offset);
  return header;
}

/**
 * Parses an untrusted envelope down to its ciphertext, checking magic, version, suite, every length and
 * every string. Decrypts nothing.
 */
export function parseEnvelope(envelope: Uint8Array): ParsedEnvelope {
  const reader = new ByteReader(envelope, 'envelope');
  if (!reader.bytes(MAGIC.length).equals(MAGIC)) {
    throw new EnvelopeError('malformed', 'Not a ClawPulsar envelope');
  }
  const version = reader.u8();
  if (version !== ENVELOPE_VERSION) {
    throw new EnvelopeError('unsupported_version', `Envelope version ${version} is not supported`, {
      version,
      supported: [ENVELOPE_VERSION],
    });
  }
  const suite = { kemId: reader.u16(), kdfId: reader.u16(), aeadId: reader.u16() };
  if (suite.kemId !== KEM_ID || suite.kdfId !== KDF_ID || suite.aeadId !== AEAD_ID) {
    throw new EnvelopeError('unsupported_suite', 'Envelope HPKE suite is not supported', suite);
  }
  const receivedAt = reader.u64('receivedAt');
  const field = (name: string) => reader.lengthPrefixedString(2, 1, MAX_BINDING_FIELD_BYTES, name);
  const binding: EnvelopeBinding = {
    agentId: field('agentId'),
    sourceId: field('sourceId'),
    deliveryId: field('deliveryId'),
    receivedAt,
    envelopeId: field('envelopeId'),
  };
  const enc = reader.bytes(N_ENC);
  const header = envelope.subarray(0, reader.offset);
  if (reader.remaining < N_T) {
    throw new EnvelopeError('truncated', 'The envelope ends before its ciphertext', {
      needed: reader.offset + N_T,
      actual: envelope.byteLength,
    });
  }
  return { binding, enc, header, ciphertext: envelope.subarray(reader.offset) };
}
