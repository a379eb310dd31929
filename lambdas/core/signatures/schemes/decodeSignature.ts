const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const BASE64URL = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}(?:==)?|[A-Za-z0-9_-]{3}=?)?$/;

export type SignatureEncoding = 'hex' | 'base64';

/**
 * Decodes a received signature strictly: undefined for anything that is not entirely valid hex or
 * base64 (Node's decoders silently stop at the first bad character, which would let junk through).
 * Base64 accepts the standard and URL-safe alphabets, padded or not.
 *
 * @example
 * decodeSignature('9f86d0', 'hex'); // <Buffer 9f 86 d0>
 */
export function decodeSignature(text: string, encoding: SignatureEncoding): Buffer | undefined {
  if (text.length === 0) return undefined;
  if (encoding === 'hex') {
    // Node's hex decoder stops at the first pair that isn't hex, so a full-length result means every
    // character was hex.
    if (text.length % 2 !== 0) return undefined;
    const bytes = Buffer.from(text, 'hex');
    return bytes.length * 2 === text.length ? bytes : undefined;
  }
  if (BASE64.test(text)) return Buffer.from(text, 'base64');
  if (BASE64URL.test(text)) return Buffer.from(text, 'base64url');
  return undefined;
}
