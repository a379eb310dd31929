import type { SchemeVerifier } from '../types.ts';
import { type AsymmetricAlgorithm, matchAsymmetricSignature } from './asymmetricSignature.ts';
import { checkTimestamp, parseTimestamp } from './checkTimestamp.ts';
import { decodeSignature } from './decodeSignature.ts';
import { readHeader } from './readHeader.ts';

export interface TimestampedAsymmetricOptions {
  /** Reported as the matched scheme, e.g. `discord-ed25519`. */
  readonly scheme: string;
  readonly algorithm: AsymmetricAlgorithm;
  /** Lower-case header carrying the signature. */
  readonly signatureHeader: string;
  readonly encoding: 'hex' | 'base64';
  /** Whether a decoded signature has a plausible length (checked before any key is tried). */
  readonly validLength: (bytes: number) => boolean;
  /** Lower-case header carrying the unix-seconds timestamp that is signed before the body. */
  readonly timestampHeader: string;
  readonly toleranceSeconds: number;
}

/**
 * A signature by the provider's private key over `timestamp || body` (Discord's Ed25519, SendGrid's
 * ECDSA P-256); the secrets are public keys. The timestamp is judged only after the signature matched,
 * so "too old" always means a genuine replay.
 *
 * @example
 * const verify = timestampedAsymmetricScheme({ scheme: 'discord-ed25519', algorithm: 'ed25519', … });
 */
export function timestampedAsymmetricScheme(options: TimestampedAsymmetricOptions): SchemeVerifier {
  const { signatureHeader, timestampHeader } = options;
  return ({ request, source, nowSeconds }) => {
    const header = readHeader(request.headers, [signatureHeader], true);
    if ('reason' in header) return { ok: false, reason: header.reason };
    const timestamp = readHeader(request.headers, [timestampHeader], true);
    if ('reason' in timestamp) return { ok: false, reason: timestamp.reason };
    const seconds = parseTimestamp(timestamp.value, 'unix-seconds');
    if (seconds === undefined) return { ok: false, reason: `malformed ${timestampHeader} header` };
    const signature = decodeSignature(header.value, options.encoding);
    if (signature === undefined || !options.validLength(signature.length)) {
      return { ok: false, reason: `malformed ${signatureHeader} header` };
    }
    const match = matchAsymmetricSignature({
      algorithm: options.algorithm,
      signature,
      publicKeys: source.secrets,
      message: [Buffer.from(timestamp.value, 'latin1'), request.body],
    });
    if (!match.ok) return match;
    const stale = checkTimestamp(seconds, nowSeconds, source.toleranceSeconds ?? options.toleranceSeconds);
    if (stale !== undefined) return { ok: false, reason: stale };
    return { ok: true, scheme: options.scheme, secretIndex: match.keyIndex };
  };
}
