import { createPublicKey, createVerify, type KeyObject, verify } from 'node:crypto';
import { decodeSignature } from './decodeSignature.ts';

/**
 * The public-key schemes providers use: Ed25519 (Discord), and ECDSA over P-256 with SHA-256 and a DER
 * signature (SendGrid).
 */
export type AsymmetricAlgorithm = 'ed25519' | 'ecdsa-p256-sha256';

/** What to verify. */
export interface AsymmetricInput {
  readonly algorithm: AsymmetricAlgorithm;
  /** The signature from the request, decoded: 64 raw bytes for Ed25519, DER for ECDSA. */
  readonly signature: Uint8Array;
  /** The configured public keys, newest first, as the provider shows them. */
  readonly publicKeys: readonly string[];
  /** The signed message, in pieces (e.g. timestamp, raw body), verified as their concatenation. */
  readonly message: readonly Uint8Array[];
}

/** Which key verified the signature, or why none did. */
export type AsymmetricMatch =
  | { readonly ok: true; readonly keyIndex: number }
  | { readonly ok: false; readonly reason: string };

const MAX_CACHED_KEYS = 1024;
// Public keys are not secret, and importing one costs more than the verification itself.
const cache = new Map<string, KeyObject | null>();

/**
 * Imports a provider's public key, or returns undefined when it isn't one of the expected kind.
 * Ed25519 keys are 32 raw bytes as hex (Discord's "Public Key"). P-256 keys are a SubjectPublicKeyInfo,
 * as base64 DER (SendGrid's "Verification Key") or PEM; a key on any other curve is refused.
 *
 * @example
 * importPublicKey('ed25519', 'a1b2…'); // KeyObject, or undefined for a malformed key
 */
export function importPublicKey(algorithm: AsymmetricAlgorithm, text: string): KeyObject | undefined {
  const cacheKey = `${algorithm}:${text}`;
  const cached = cache.get(cacheKey);
  if (cached !== undefined) return cached ?? undefined;
  const key = algorithm === 'ed25519' ? importEd25519(text.trim()) : importP256(text.trim());
  if (cache.size >= MAX_CACHED_KEYS) cache.clear();
  cache.set(cacheKey, key ?? null);
  return key;
}

function importEd25519(text: string): KeyObject | undefined {
  const raw = decodeSignature(text, 'hex');
  if (raw?.length !== 32) return undefined;
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
}

function importP256(text: string): KeyObject | undefined {
  try {
    let key: KeyObject;
    if (text.startsWith('-----BEGIN')) {
      key = createPublicKey({ key: text, format: 'pem' });
    } else {
      const der = decodeSignature(text, 'base64');
      if (der === undefined || der.length > 512) return undefined;
      key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    }
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
      ? key
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a signature against every configured public key, newest first. Never throws: a malformed
 * signature or key is simply not a match.
 *
 * @example
 * matchAsymmetricSignature({ algorithm: 'ed25519', signature, publicKeys: source.secrets, message: [ts, body] });
 * // { ok: true, keyIndex: 0 }
 */
export function matchAsymmetricSignature(input: AsymmetricInput): AsymmetricMatch {
  // Ed25519 is one-shot (no streaming API), so its message is joined once for all keys.
  const joined = input.algorithm === 'ed25519' ? Buffer.concat(input.message) : undefined;
  let usableKeys = 0;
  for (let keyIndex = 0; keyIndex < input.publicKeys.length; keyIndex++) {
    const key = importPublicKey(input.algorithm, input.publicKeys[keyIndex]!);
    if (key === undefined) continue;
    usableKeys++;
    if (verifyWith(key, input, joined)) return { ok: true, keyIndex };
  }
  return {
    ok: false,
    reason: usableKeys === 0 ? 'no valid public key configured' : 'signature does not match',
  };
}

function verifyWith(key: KeyObject, input: AsymmetricInput, joined: Buffer | undefined): boolean {
  try {
    if (joined !== undefined) return verify(null, joined, key, input.signature);
    const verifier = createVerify('sha256');
    for (const part of input.message) verifier.update(part);
    return verifier.verify({ key, dsaEncoding: 'der' }, input.signature);
  } catch {
    return false;
  }
}
