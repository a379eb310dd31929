import { createHash } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';
import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { constantTimeEqual } from '../schemes/constantTimeEqual.ts';
import { decodeSignature } from '../schemes/decodeSignature.ts';
import { mediaType } from '../schemes/mediaType.ts';
import { readHeader } from '../schemes/readHeader.ts';
import { matchUrlBoundHmac } from '../schemes/urlBoundHmac.ts';
import type { VerifyInput, VerifyResult } from '../types.ts';

const SIGNATURE = 'x-twilio-signature';
/** Present when a Webhooks Rule signs with a SharedKey: `key=<id>,algorithm=HMAC_SHA256`. */
const SETTINGS = 'x-twilio-webhooks-signature-settings';
const FORM = 'application/x-www-form-urlencoded';

/**
 * Twilio: `X-Twilio-Signature` is the base64 HMAC of the full public URL followed, for form posts, by
 * every POST parameter sorted by name as name+value. JSON posts carry `bodySHA256` (hex SHA-256 of the
 * raw body) in the signed URL instead. The Content-Type decides which applies; any other non-empty body
 * is refused because nothing would cover it. The HMAC is SHA-1 with the Auth Token, or the algorithm a
 * SharedKey's `X-Twilio-Webhooks-Signature-Settings` names. The URL is tried as received with and
 * without the default port, then as `new URL()` spells it (with and without a legacy re-encoded query),
 * the spellings Twilio's own helper accepts. No timestamp: replays are caught by the delivery id,
 * `I-Twilio-Idempotency-Token`.
 */
export const twilio = defineProvider({
  id: 'twilio',
  displayName: 'Twilio',
  secretKind: 'shared-secret',
  scheme: verifyTwilio,
  deliveryId: fromHeader('i-twilio-idempotency-token'),
});

function verifyTwilio({ request, source }: VerifyInput): VerifyResult {
  const header = readHeader(request.headers, [SIGNATURE], true);
  if ('reason' in header) return { ok: false, reason: header.reason };
  const algorithm = signatureAlgorithm(request.headers[SETTINGS]);
  if (algorithm === undefined) return { ok: false, reason: 'unsupported signature algorithm' };
  const signature = decodeSignature(header.value, 'base64');
  if (signature?.length !== (algorithm === 'sha1' ? 20 : 32)) {
    return { ok: false, reason: `malformed ${SIGNATURE} header` };
  }

  let mode: 'form' | 'json' | 'url';
  let suffix = '';
  let bodyHash: Buffer | undefined;
  if (mediaType(request.headers) === FORM) {
    mode = 'form';
    suffix = sortedParams(request.body);
  } else {
    const declared = bodySha256(request.url);
    if (declared !== undefined) {
      bodyHash = decodeSignature(declared, 'hex');
      if (bodyHash?.length !== 32) return { ok: false, reason: 'malformed bodySHA256' };
      mode = 'json';
    } else if (request.body.byteLength === 0) {
      mode = 'url';
    } else {
      return { ok: false, reason: 'body not covered by the signature (no bodySHA256)' };
    }
  }

  const secretIndex = matchUrlBoundHmac({
    algorithm,
    signature,
    secrets: source.secrets,
    urls: urlSpellings(request.url),
    suffix: [suffix],
  });
  if (secretIndex === -1) return { ok: false, reason: 'signature does not match' };
  if (
    bodyHash !== undefined &&
    !constantTimeEqual(createHash('sha256').update(request.body).digest(), bodyHash)
  ) {
    return { ok: false, reason: 'body does not match bodySHA256' };
  }
  return { ok: true, scheme: algorithm === 'sha1' ? `twilio-${mode}` : `twilio-${mode}-sha256`, secretIndex };
}

/** No settings header: the Auth Token signs with SHA-1. Otherwise the header's `algorithm=` decides. */
function signatureAlgorithm(settings: string | undefined): 'sha1' | 'sha256' | undefined {
  let named = '';
  for (const part of (settings ?? '').split(',')) {
    const equals = part.indexOf('=');
    if (equals !== -1 && part.slice(0, equals).trim() === 'algorithm') named = part.slice(equals + 1).trim();
  }
  const upper = named.toUpperCase();
  if (upper === '' || upper === 'HMAC_SHA1') return 'sha1';
  return upper === 'HMAC_SHA256' ? 'sha256' : undefined;
}

/** Form parameters as Twilio signs them: sorted by name, name+value, repeated names by sorted distinct value. */
function sortedParams(body: Uint8Array): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(
    Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'),
  )) {
    const values = byName.get(name);
    if (values === undefined) byName.set(name, [value]);
    else values.push(value);
  }
  let signed = '';
  for (const name of [...byName.keys()].sort()) {
    const values = byName.get(name)!;
    const ordered = values.length === 1 ? values : [...new Set(values)].sort();
    for (const value of ordered) signed += name + value;
  }
  return signed;
}

function bodySha256(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('bodySHA256') ?? undefined;
  } catch {
    return undefined;
  }
}

const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i;

interface UrlParts {
  readonly scheme: string;
  readonly userInfo: string;
  readonly host: string;
  readonly port: string;
  readonly rest: string;
}

/** Splits without normalising, so the path and query keep the exact characters Twilio signed. */
function splitUrl(url: string): UrlParts | undefined {
  const match = AUTHORITY.exec(url);
  if (match === null) return undefined;
  const authority = match[2]!;
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  // An IPv6 literal's colons are inside brackets; only a colon after the closing bracket starts the port.
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme: match[1]!,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(match[0].length),
  };
}

function withoutPort(url: string): string {
  const parts = splitUrl(url);
  return parts === undefined ? url : parts.scheme + parts.userInfo + parts.host + parts.rest;
}

function withDefaultPort(url: string): string {
  const parts = splitUrl(url);
  if (parts === undefined || parts.port !== '') return url;
  const port = parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return parts.scheme + parts.userInfo + parts.host + port + parts.rest;
}

/** Some back ends signed the query as Node's legacy querystring re-encodes it (e.g. `'` as `%27`). */
function withLegacyQuery(url: string): string {
  const start = url.indexOf('?');
  if (start === -1 || start === url.length - 1) return url;
  return `${url.slice(0, start)}?${stringifyQuery(parseQuery(url.slice(start + 1)))}`;
}

/**
 * The URL spellings Twilio may have signed for the public URL the request reached, exact spelling first,
 * each once. Lazy: an authentic request matches the first, so the others are never built.
 *
 * @example
 * [...urlSpellings('https://hooks.example.com/v1/hooks/a/s')];
 * // ['https://hooks.example.com/v1/hooks/a/s', 'https://hooks.example.com:443/v1/hooks/a/s']
 */
export function* urlSpellings(url: string): Generator<string, void, undefined> {
  yield url;
  const seen = new Set([url]);
  function* unseen(spellings: readonly string[]): Generator<string, void, undefined> {
    for (const spelling of spellings) {
      if (seen.has(spelling)) continue;
      seen.add(spelling);
      yield spelling;
    }
  }
  yield* unseen([withoutPort(url), withDefaultPort(url)]);
  let normalised: string;
  try {
    normalised = new URL(url).toString();
  } catch {
    return;
  }
  const bare = withoutPort(normalised);
  const ported = withDefaultPort(normalised);
  yield* unseen([bare, ported, withLegacyQuery(bare), withLegacyQuery(ported)]);
}
