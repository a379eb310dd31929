import { BadRequestError } from '../errors.ts';

/**
 * IoT Core caps an MQTT message at 128 KB and disconnects a client that exceeds it; 96 KiB of payload
 * per chunk leaves room for the frame header and the topic.
 */
export const MAX_CHUNK_PAYLOAD = 96 * 1024;

/** Larger envelopes are refused before chunking (bounded reassembly memory on the agent). */
export const MAX_ENVELOPE_BYTES = 11 * 1024 * 1024;

const FRAME_VERSION = 1;
const HEADER_BYTES = 1 + 2 + 2 + 4 + 1;

export interface EnvelopeChunk {
  readonly envelopeId: string;
  readonly index: number;
  readonly count: number;
  readonly totalBytes: number;
  readonly payload: Uint8Array;
}

/**
 * Frames a sealed envelope into MQTT messages of at most `MAX_CHUNK_PAYLOAD` bytes of payload each.
 * Frame: version u8 | index u16 | count u16 | totalBytes u32 | idLength u8 | id | payload.
 *
 * @example
 * for (const frame of chunkEnvelope(id, sealed)) await publish(topics.deliveries, frame);
 */
export function chunkEnvelope(
  envelopeId: string,
  envelope: Uint8Array,
  chunkSize = MAX_CHUNK_PAYLOAD,
): Uint8Array[] {
  if (envelope.byteLength > MAX_ENVELOPE_BYTES) {
    throw new BadRequestError('envelope_too_large', `Envelope is over ${MAX_ENVELOPE_BYTES} bytes`);
  }
  const id = Buffer.from(envelopeId, 'utf8');
  if (id.byteLength === 0 || id.byteLength > 255) {
    throw new BadRequestError('bad_envelope_id', 'Envelope id must be 1-255 bytes');
  }
  const count = Math.max(1, Math.ceil(envelope.byteLength / chunkSize));
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const payload = envelope.subarray(
      index * chunkSize,
      Math.min(envelope.byteLength, (index + 1) * chunkSize),
    );
    const frame = Buffer.allocUnsafe(HEADER_BYTES + id.byteLength + payload.byteLength);
    frame.writeUInt8(FRAME_VERSION, 0);
    frame.writeUInt16BE(index, 1);
    frame.writeUInt16BE(count, 3);
    frame.writeUInt32BE(envelope.byteLength, 5);
    frame.writeUInt8(id.byteLength, 9);
    id.copy(frame, HEADER_BYTES);
    frame.set(payload, HEADER_BYTES + id.byteLength);
    frames.push(frame);
  }
  return frames;
}

/** Parses one frame; throws `BadRequestError` on anything malformed. */
export function parseChunk(frame: Uint8Array): EnvelopeChunk {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (buf.byteLength < HEADER_BYTES)
    throw new BadRequestError('bad_chunk', 'Chunk is shorter than its header');
  if (buf.readUInt8(0) !== FRAME_VERSION) throw new BadRequestError('bad_chunk', 'Unsupported chunk version');
  const index = buf.readUInt16BE(1);
  const count = buf.readUInt16BE(3);
  const totalBytes = buf.readUInt32BE(5);
  const idLength = buf.readUInt8(9);
  if (count === 0 || index >= count) throw new BadRequestError('bad_chunk', 'Chunk index out of range');
  if (totalBytes > MAX_ENVELOPE_BYTES) throw new BadRequestError('bad_chunk', 'Envelope too large');
  // Every chunk but a lone one carries at least a byte: an envelope announced as several empty chunks
  // would reserve nothing against the reassembler's memory cap while it waits for them.
  if (count > Math.max(1, totalBytes)) {
    throw new BadRequestError('bad_chunk', 'Chunk count is larger than its envelope');
  }
  if (idLength === 0 || buf.byteLength < HEADER_BYTES + idLength) {
    throw new BadRequestError('bad_chunk', 'Chunk envelope id is truncated');
  }
  const envelopeId = buf.toString('utf8', HEADER_BYTES, HEADER_BYTES + idLength);
  const payload = buf.subarray(HEADER_BYTES + idLength);
  if (payload.byteLength > totalBytes)
    throw new BadRequestError('bad_chunk', 'Chunk is larger than its envelope');
  return { envelopeId, index, count, totalBytes, payload };
}
