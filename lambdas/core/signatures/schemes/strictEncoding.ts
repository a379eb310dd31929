const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes hex of exactly `byteLength` bytes, or returns undefined. Node's own decoder stops silently at
 * the first bad character, so the text is checked first.
 *
 * @example
 * decodeHex('00ff', 2); // <Buffer 00 ff>
 * decodeHex('00fg', 2); // undefined
 */
export function decodeHex(value: string, byteLength: number): Buffer | undefined {
  if (value.length !== byteLength * 2 || !HEX.test(value)) return undefined;
  return Buffer.from(value, 'hex');
}

/**
 * Decodes canonical, padded standard base64, or returns undefined. Node's own decoder skips characters it
 * does not know and ignores stray padding bits; a signature header with either is malformed, not a match.
 * `maxBytes` bounds the work done on hostile input before decoding.
 *
 * @example
 * decodeBase64('AAE=', 16); // <Buffer 00 01>
 * decodeBase64('AAF=', 16); // undefined (non-zero padding bits)
 */
export function decodeBase64(value: string, maxBytes: number): Buffer | undefined {
  if (value.length === 0 || value.length > Math.ceil(maxBytes / 3) * 4 || !BASE64.test(value))
    return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : undefined;
}
