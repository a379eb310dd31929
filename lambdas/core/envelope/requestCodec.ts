import { EnvelopeError } from '../errors.ts';
import { ByteReader } from './ByteReader.ts';
import type { SealedRequest } from './types.ts';

/**
 * The sealed plaintext, version 1 of the envelope (integers big-endian, strings UTF-8):
 *
 *   u16 len + method | u32 len + path | u32 len + query | u16 header count
 *   | count × (u16 len + name | u32 len + value) | u32 len + body
 *
 * The decoder must consume every byte: anything left over is an error.
 */
const U16_MAX = 0xffff;
const U32_MAX = 0xffff_ffff;

/**
 * The encoded request as pieces to feed the cipher in order: the fields before the body, then the body
 * itself, so the body is never copied into a plaintext buffer. Each string is encoded once, straight into
 * a buffer sized for the worst case (3 UTF-8 bytes per UTF-16 unit), its length written in front after.
 */
export function encodeRequest(request: SealedRequest): Uint8Array[] {
  const { method, path, query, headers, body } = request;
  const names = Object.keys(headers);
  if (names.length > U16_MAX) {
    throw new EnvelopeError('invalid_request', `A request carries at most ${U16_MAX} headers`, {
      count: names.length,
    });
  }
  if (!(body instanceof Uint8Array) || body.byteLength > U32_MAX) {
    throw new EnvelopeError('invalid_request', 'body must be bytes, at most 4 GiB');
  }
  let units = textUnits('method', method) + textUnits('path', path) + textUnits('query', query);
  for (const name of names)
    units += textUnits('header name', name) + textUnits('header value', headers[name]);
  const prefix = Buffer.allocUnsafe(2 + 4 + 4 + 2 + names.length * 6 + 4 + 3 * units);
  let offset = putText(prefix, 0, 2, 'method', method);
  offset = putText(prefix, offset, 4, 'path', path);
  offset = putText(prefix, offset, 4, 'query', query);
  offset = prefix.writeUInt16BE(names.length, offset);
  for (const name of names) {
    offset = putText(prefix, offset, 2, 'header name', name);
    offset = putText(prefix, offset, 4, 'header value', headers[name] as string);
  }
  offset = prefix.writeUInt32BE(body.byteLength, offset);
  return [prefix.subarray(0, offset), body];
}

/**
 * Decodes a plaintext produced by `encodeRequest`. The body is a view into `plaintext`, not a copy.
 * Throws `truncated` or `malformed` (an `EnvelopeError`) when the bytes are not such a plaintext.
 */
export function decodeRequest(plaintext: Uint8Array): SealedRequest {
  const reader = new ByteReader(plaintext, 'sealed request');
  const method = reader.lengthPrefixedString(2, 0, U16_MAX, 'method');
  const path = reader.lengthPrefixedString(4, 0, U32_MAX, 'path');
  const query = reader.lengthPrefixedString(4, 0, U32_MAX, 'query');
  const count = reader.u16();
  const headers: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    headers.push([
      reader.lengthPrefixedString(2, 0, U16_MAX, 'header name'),
      reader.lengthPrefixedString(4, 0, U32_MAX, 'header value'),
    ]);
  }
  const body = reader.lengthPrefixedBytes(4, U32_MAX, 'body');
  if (reader.remaining !== 0) {
    throw new EnvelopeError('malformed', 'The sealed request has bytes after its body', {
      extra: reader.remaining,
    });
  }
  // fromEntries defines own properties, so a header named `__proto__` stays a header.
  return { method, path, query, headers: Object.fromEntries(headers), body };
}

/** The UTF-16 length of a field, which must be a string. */
function textUnits(field: string, text: unknown): number {
  if (typeof text !== 'string') {
    throw new EnvelopeError('invalid_request', `${field} must be a string`, { field });
  }
  return text.length;
}

/** Writes `text` as UTF-8 behind a length of `lengthBytes` bytes at `offset`; returns the next offset. */
function putText(buffer: Buffer, offset: number, lengthBytes: 2 | 4, field: string, text: string): number {
  const length = buffer.write(text, offset + lengthBytes, 'utf8');
  const maxBytes = lengthBytes === 2 ? U16_MAX : U32_MAX;
  if (length > maxBytes) {
    throw new EnvelopeError('invalid_request', `${field} is over ${maxBytes} bytes`, { field, length });
  }
  if (lengthBytes === 2) buffer.writeUInt16BE(length, offset);
  else buffer.writeUInt32BE(length, offset);
  return offset + lengthBytes + length;
}
