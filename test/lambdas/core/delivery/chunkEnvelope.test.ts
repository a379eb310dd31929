import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chunkEnvelope,
  MAX_CHUNK_PAYLOAD,
  MAX_ENVELOPE_BYTES,
  parseChunk,
} from '../../../../lambdas/core/delivery/chunkEnvelope.ts';
import { topicsFor } from '../../../../lambdas/core/delivery/topics.ts';
import { BadRequestError } from '../../../../lambdas/core/errors.ts';
import { arbitraryBody } from '../envelope/envelopeFactories.ts';

/** IoT Core's MQTT message limit: payload and topic together. */
const IOT_MESSAGE_LIMIT = 128 * 1024;
const HEADER_BYTES = 10;

/** Bytes 0, 1, 2, … (mod 251, so no chunk boundary lines up with the pattern). */
function envelopeOf(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = i % 251;
  return bytes;
}

/** The frame header as the documented layout reads it, independent of parseChunk. */
function readHeader(frame: Uint8Array) {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const idLength = view.getUint8(9);
  return {
    version: view.getUint8(0),
    index: view.getUint16(1),
    count: view.getUint16(3),
    totalBytes: view.getUint32(5),
    id: Buffer.from(frame.subarray(HEADER_BYTES, HEADER_BYTES + idLength)).toString('utf8'),
    payload: frame.subarray(HEADER_BYTES + idLength),
  };
}

/** A copy of `frame` with some header fields overwritten. */
function withHeader(
  frame: Uint8Array,
  fields: { version?: number; index?: number; count?: number; totalBytes?: number; idLength?: number },
): Buffer {
  const copy = Buffer.from(frame);
  if (fields.version !== undefined) copy.writeUInt8(fields.version, 0);
  if (fields.index !== undefined) copy.writeUInt16BE(fields.index, 1);
  if (fields.count !== undefined) copy.writeUInt16BE(fields.count, 3);
  if (fields.totalBytes !== undefined) copy.writeUInt32BE(fields.totalBytes, 5);
  if (fields.idLength !== undefined) copy.writeUInt8(fields.idLength, 9);
  return copy;
}

function refusal(run: () => unknown): BadRequestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return error as BadRequestError;
  }
  throw new Error('accepted');
}

describe('chunkEnvelope', () => {
  it('frames a small envelope as one message: version 1, index 0 of 1, total size, id, payload', () => {
    // Prepare
    const envelope = envelopeOf(100);

    // Act
    const frames = chunkEnvelope('env-1', envelope);

    // Assess
    expect(frames).toHaveLength(1);
    const header = readHeader(frames[0]!);
    expect(header).toMatchObject({ version: 1, index: 0, count: 1, totalBytes: 100, id: 'env-1' });
    expect(Buffer.from(header.payload).equals(envelope)).toBe(true);
    expect(frames[0]!.byteLength).toBe(HEADER_BYTES + 5 + 100);
  });

  it('frames an empty envelope as one frame without payload', () => {
    // Act
    const frames = chunkEnvelope('env-1', new Uint8Array(0));

    // Assess
    expect(frames).toHaveLength(1);
    expect(readHeader(frames[0]!)).toMatchObject({ index: 0, count: 1, totalBytes: 0 });
    expect(readHeader(frames[0]!).payload.byteLength).toBe(0);
  });

  it('puts exactly 96 KiB in one frame and one byte more in two', () => {
    // Act
    const atLimit = chunkEnvelope('env-1', envelopeOf(MAX_CHUNK_PAYLOAD));
    const over = chunkEnvelope('env-1', envelopeOf(MAX_CHUNK_PAYLOAD + 1));

    // Assess
    expect(MAX_CHUNK_PAYLOAD).toBe(98_304);
    expect(atLimit.map((frame) => readHeader(frame).payload.byteLength)).toEqual([MAX_CHUNK_PAYLOAD]);
    expect(over.map((frame) => readHeader(frame))).toMatchObject([
      { index: 0, count: 2, totalBytes: MAX_CHUNK_PAYLOAD + 1 },
      { index: 1, count: 2, totalBytes: MAX_CHUNK_PAYLOAD + 1 },
    ]);
    expect(over.map((frame) => readHeader(frame).payload.byteLength)).toEqual([MAX_CHUNK_PAYLOAD, 1]);
  });

  it('splits in order, so the payloads joined are the envelope', () => {
    // Prepare
    const envelope = envelopeOf(3 * MAX_CHUNK_PAYLOAD + 12_345);

    // Act
    const frames = chunkEnvelope('env-1', envelope);

    // Assess
    expect(frames.map((frame) => readHeader(frame).index)).toEqual([0, 1, 2, 3]);
    expect(Buffer.concat(frames.map((frame) => readHeader(frame).payload)).equals(envelope)).toBe(true);
  });

  it("keeps every message within IoT Core's 128 KB, with the longest id and agent id", () => {
    // Prepare
    const topic = topicsFor('a'.repeat(63)).deliveries;

    // Act
    const frames = chunkEnvelope('i'.repeat(255), envelopeOf(2 * MAX_CHUNK_PAYLOAD + 1));

    // Assess
    for (const frame of frames) {
      expect(frame.byteLength + Buffer.byteLength(topic)).toBeLessThanOrEqual(IOT_MESSAGE_LIMIT);
    }
  });

  it('chunks with a smaller size when asked', () => {
    // Act
    const frames = chunkEnvelope('env-1', envelopeOf(10), 3);

    // Assess
    expect(frames.map((frame) => readHeader(frame).payload.byteLength)).toEqual([3, 3, 3, 1]);
  });

  it('frames an envelope of exactly 11 MiB and refuses one byte more', () => {
    // Act
    const frames = chunkEnvelope('env-1', new Uint8Array(MAX_ENVELOPE_BYTES));
    const error = refusal(() => chunkEnvelope('env-1', new Uint8Array(MAX_ENVELOPE_BYTES + 1)));

    // Assess
    expect(frames).toHaveLength(Math.ceil(MAX_ENVELOPE_BYTES / MAX_CHUNK_PAYLOAD));
    expect(error.code).toBe('envelope_too_large');
    expect(error.message).toBe('Envelope is over 11534336 bytes');
  });

  it.each([
    ['255 ASCII bytes', 'e'.repeat(255)],
    ['254 bytes of two-byte characters', 'é'.repeat(127)],
  ])('accepts an envelope id of %s', (_name, id) => {
    expect(parseChunk(chunkEnvelope(id, envelopeOf(1))[0]!).envelopeId).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['of 256 ASCII bytes', 'e'.repeat(256)],
    ['of 128 two-byte characters (256 bytes)', 'é'.repeat(128)],
  ])('refuses an envelope id that is %s', (_name, id) => {
    // Act
    const error = refusal(() => chunkEnvelope(id, envelopeOf(1)));

    // Assess
    expect(error.code).toBe('bad_envelope_id');
  });
});

describe('parseChunk', () => {
  it('reads back what chunkEnvelope wrote, for any id and envelope', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
        arbitraryBody(5_000),
        fc.integer({ min: 1, max: 2_000 }),
        (id, envelope, chunkSize) => {
          const frames = chunkEnvelope(id, envelope, chunkSize);
          const chunks = frames.map(parseChunk);
          expect(chunks.map((c) => c.envelopeId)).toEqual(frames.map(() => id));
          expect(chunks.map((c) => c.index)).toEqual(frames.map((_, i) => i));
          expect(new Set(chunks.map((c) => c.count))).toEqual(new Set([frames.length]));
          expect(new Set(chunks.map((c) => c.totalBytes))).toEqual(new Set([envelope.byteLength]));
          expect(Buffer.concat(chunks.map((c) => c.payload)).equals(envelope)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads a frame that is a view into a larger buffer', () => {
    // Prepare
    const frame = chunkEnvelope('env-1', envelopeOf(50))[0]!;
    const buffer = Buffer.concat([Buffer.alloc(13, 0xaa), frame, Buffer.alloc(7, 0xbb)]);
    const view = buffer.subarray(13, 13 + frame.byteLength);

    // Act
    const chunk = parseChunk(view);

    // Assess
    expect(chunk.envelopeId).toBe('env-1');
    expect(Buffer.from(chunk.payload).equals(envelopeOf(50))).toBe(true);
  });

  const frame = chunkEnvelope('env-1', envelopeOf(200), 100)[0]!;

  it.each([
    ['an empty frame', new Uint8Array(0), 'Chunk is shorter than its header'],
    [
      'a frame shorter than the header',
      frame.subarray(0, HEADER_BYTES - 1),
      'Chunk is shorter than its header',
    ],
    ['version 0', withHeader(frame, { version: 0 }), 'Unsupported chunk version'],
    ['version 2', withHeader(frame, { version: 2 }), 'Unsupported chunk version'],
    ['a count of 0', withHeader(frame, { count: 0, index: 0 }), 'Chunk index out of range'],
    ['an index equal to the count', withHeader(frame, { index: 2 }), 'Chunk index out of range'],
    ['an index past the count', withHeader(frame, { index: 65_535 }), 'Chunk index out of range'],
    ['a total over 11 MiB', withHeader(frame, { totalBytes: MAX_ENVELOPE_BYTES + 1 }), 'Envelope too large'],
    ['an id length of 0', withHeader(frame, { idLength: 0 }), 'Chunk envelope id is truncated'],
    ['a header alone', frame.subarray(0, HEADER_BYTES), 'Chunk envelope id is truncated'],
    ['an id cut short', frame.subarray(0, HEADER_BYTES + 3), 'Chunk envelope id is truncated'],
    [
      'an id length past the frame',
      withHeader(frame.subarray(0, HEADER_BYTES + 5), { idLength: 6 }),
      'Chunk envelope id is truncated',
    ],
    [
      'more chunks than its envelope has bytes',
      withHeader(frame.subarray(0, HEADER_BYTES + 5), { count: 3, index: 0, totalBytes: 2 }),
      'Chunk count is larger than its envelope',
    ],
    [
      'several chunks of an empty envelope',
      withHeader(frame.subarray(0, HEADER_BYTES + 5), { count: 2, index: 0, totalBytes: 0 }),
      'Chunk count is larger than its envelope',
    ],
    [
      'a payload larger than its envelope',
      withHeader(frame, { totalBytes: 99 }),
      'Chunk is larger than its envelope',
    ],
  ])('refuses %s with bad_chunk', (_name, bad, message) => {
    // Act
    const error = refusal(() => parseChunk(bad));

    // Assess
    expect(error.code).toBe('bad_chunk');
    expect(error.message).toBe(message);
  });

  it('throws nothing but bad_chunk for any bytes, header-shaped or not', () => {
    // Prepare: mostly version 1 with small fields, so the checks past the version are reached.
    const headerShaped = fc
      .record({
        version: fc.constantFrom(0, 1, 1, 1, 2),
        index: fc.oneof(fc.nat(4), fc.nat(65_535)),
        count: fc.oneof(fc.nat(4), fc.nat(65_535)),
        totalBytes: fc.oneof(fc.nat(300), fc.nat(0xffff_ffff)),
        idLength: fc.oneof(fc.nat(20), fc.nat(255)),
        rest: fc.uint8Array({ maxLength: 300 }),
      })
      .map(({ rest, ...fields }) => withHeader(Buffer.concat([Buffer.alloc(HEADER_BYTES), rest]), fields));

    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), headerShaped), (bytes) => {
        try {
          const chunk = parseChunk(bytes);
          expect(chunk.index).toBeLessThan(chunk.count);
          expect(chunk.totalBytes).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES);
          expect(chunk.payload.byteLength).toBeLessThanOrEqual(chunk.totalBytes);
          expect(chunk.envelopeId.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(BadRequestError);
          expect((error as BadRequestError).code).toBe('bad_chunk');
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
