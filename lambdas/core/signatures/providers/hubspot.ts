import { createHash } from 'node:crypto';
import { defineProvider } from '../defineProvider.ts';
import { checkTimestamp } from '../schemes/checkTimestamp.ts';
import { constantTimeEqual } from '../schemes/constantTimeEqual.ts';
import { decodeSignature } from '../schemes/decodeSignature.ts';
import { readHeader } from '../schemes/readHeader.ts';
import { matchUrlBoundHmac } from '../schemes/urlBoundHmac.ts';
import type { VerifyInput, VerifyResult } from '../types.ts';

const SIGNATURE_V3 = 'x-hubspot-signature-v3';
const TIMESTAMP = 'x-hubspot-request-timestamp';
const SIGNATURE = 'x-hubspot-signature';
const VERSION = 'x-hubspot-signature-version';
const DEFAULT_TOLERANCE_SECONDS = 300;
const MILLISECONDS = /^[0-9]{1,15}$/;

/**
 * HubSpot, by the headers present. v3 (preferred; when its header is present nothing else is tried):
 * `X-HubSpot-Signature-v3` is the base64 HMAC-SHA256, keyed with the app's client secret, of method + URI
 * + raw body + `X-HubSpot-Request-Timestamp` (milliseconds, at most 5 minutes away). The URI is the public
 * URL with the percent-encodings HubSpot's documentation lists decoded. Otherwise
 * `X-HubSpot-Signature-Version` names v1, hex SHA-256 of secret + body, or v2, hex SHA-256 of secret +
 * method + exact URL + body. v1 and v2 are plain hashes with the secret as a prefix and no timestamp, so
 * they are weaker than v3 (replayable, open to length extension); HubSpot still sends them to old apps.
 */
export const hubspot = defineProvider({
  id: 'hubspot',
  displayName: 'HubSpot',
  secretKind: 'shared-secret',
  toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
  scheme: verifyHubSpot,
});

function verifyHubSpot(input: VerifyInput): VerifyResult {
  const { headers } = input.request;
  if (headers[SIGNATURE_V3] !== undefined || headers[VERSION]?.trim().toLowerCase() === 'v3') {
    return verifyV3(input);
  }
  if (headers[SIGNATURE] === undefined) return { ok: false, reason: `missing ${SIGNATURE_V3} header` };
  const version = readHeader(headers, [VERSION], true);
  if ('reason' in version) return { ok: false, reason: version.reason };
  const v = version.value.toLowerCase();
  if (v !== 'v1' && v !== 'v2') return { ok: false, reason: 'unsupported signature version' };
  return verifyV1V2(input, v);
}

function verifyV3({ request, source, nowSeconds }: VerifyInput): VerifyResult {
  const header = readHeader(request.headers, [SIGNATURE_V3], true);
  if ('reason' in header) return { ok: false, reason: header.reason };
  const timestamp = readHeader(request.headers, [TIMESTAMP], true);
  if ('reason' in timestamp) return { ok: false, reason: timestamp.reason };
  if (!MILLISECONDS.test(timestamp.value)) return { ok: false, reason: `malformed ${TIMESTAMP} header` };
  const signature = decodeSignature(header.value, 'base64');
  if (signature?.length !== 32) return { ok: false, reason: `malformed ${SIGNATURE_V3} header` };
  const secretIndex = matchUrlBoundHmac({
    algorithm: 'sha256',
    signature,
    secrets: source.secrets,
    prefix: request.method,
    urls: [hubSpotUri(request.url)],
    suffix: [request.body, timestamp.value],
  });
  if (secretIndex === -1) return { ok: false, reason: 'signature does not match' };
  const stale = checkTimestamp(
    Number(timestamp.value) / 1000,
    nowSeconds,
    source.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
  );
  if (stale !== undefined) return { ok: false, reason: stale };
  return { ok: true, scheme: 'hubspot-v3', secretIndex };
}

function verifyV1V2({ request, source }: VerifyInput, version: 'v1' | 'v2'): VerifyResult {
  const header = readHeader(request.headers, [SIGNATURE], true);
  if ('reason' in header) return { ok: false, reason: header.reason };
  const signature = decodeSignature(header.value, 'hex');
  if (signature?.length !== 32) return { ok: false, reason: `malformed ${SIGNATURE} header` };
  for (let secretIndex = 0; secretIndex < source.secrets.length; secretIndex++) {
    const hash = createHash('sha256').update(source.secrets[secretIndex]!, 'utf8');
    if (version === 'v2') hash.update(request.method, 'utf8').update(request.url, 'utf8');
    if (constantTimeEqual(hash.update(request.body).digest(), signature)) {
      return { ok: true, scheme: `hubspot-${version}`, secretIndex };
    }
  }
  return { ok: false, reason: 'signature does not match' };
}

// HubSpot signs the URI with these characters unencoded; the request line carries them percent-encoded.
const DECODED: Readonly<Record<string, string>> = {
  '3A': ':',
  '2F': '/',
  '3F': '?',
  '40': '@',
  '21': '!',
  '24': '$',
  '27': "'",
  '28': '(',
  '29': ')',
  '2A': '*',
  '2C': ',',
  '3B': ';',
};
const ENCODED = /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

/**
 * The URI HubSpot signs for v3: the public URL with `%3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B`
 * decoded (any hex case); every other escape, `%20` included, stays as it is.
 *
 * @example
 * hubSpotUri('https://h.example.com/hook?next=https%3A%2F%2Fa.example%2F&q=a%20b');
 * // 'https://h.example.com/hook?next=https://a.example/&q=a%20b'
 */
export function hubSpotUri(url: string): string {
  return url.replace(ENCODED, (_, hex: string) => DECODED[hex.toUpperCase()]!);
}
