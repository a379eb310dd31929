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
 * itself, so the body is never copied into a plaintext buffer.
 */
export function encodeRequest(request: SealedRequest): Uint8Array[] {
  const method = textField('method', request.method, U16_MAX);
  const path = textField('path', request.path, U32_MAX);
  const query = textField('query', request.query, U32_MAX);
  const headers = Object.entries(request.headers);
  if (headers.length > U16_MAX) {
    throw new EnvelopeError('invalid_request', `A request carries at most ${U16_MAX} headers`, {
      count: headers.length,
    });
  }
  const encodedHeaders = headers.map(([name, value]) => ({
    name: textField('header name', name, U16_MAX),
    value: textField('header value', value, U32_MAX),
  }));
  if (!(request.body instanceof Uint8Array) || request.body.byteLength > U32_MAX) {
    throw new EnvelopeError('invalid_request', 'body must be bytes, at most 4 GiB');
  }

  let size = 2 + method.length + 4 + path.length + 4 + query.length + 2 + 4;
  for (const header of encodedHeaders) size += 2 + header.name.length + 4 + header.value.length;
  const prefix = Buffer.allocUnsafe(size);
  let offset = 0;
  const put = (lengthBytes: 2 | 4, field: { text: string; length: number }) => {
    offset =
      lengthBytes === 2
        ? prefix.writeUInt16BE(field.length, offset)
        : prefix.writeUInt32BE(field.length, offset);
    offset += prefix.write(field.text, offset, 'utf8');
  };
  put(2, method);
  put(4, path);
  put(4, query);
  offset = prefix.writeUInt16BE(encodedHeaders.length, offset);
  for (const header of encodedHeaders) {
    put(2, header.name);
    put(4, header.value);
  }
  prefix.writeUInt32BE(request.body.byteLength, offset);
  return [prefix, request.body];
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

function textField(field: string, text: unknown, maxBytes: number): { text: string; length: number } {
  if (typeof text !== 'string') {
    throw new EnvelopeError('invalid_request', `${field} must be a string`, { field });
  }
  const length = Buffer.byteLength(text, 'utf8');
  if (length > maxBytes) {
    throw new EnvelopeError('invalid_request', `${field} is over ${maxBytes} bytes`, { field, length });
  }
  return { text, length };
}
