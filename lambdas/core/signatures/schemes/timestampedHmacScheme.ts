import type { SchemeVerifier, VerifyInput } from '../types.ts';
import { checkTimestamp, parseTimestamp, type TimestampFormat } from './checkTimestamp.ts';
import { decodeSignature, type SignatureEncoding } from './decodeSignature.ts';
import { findMatchingSecret, type HmacAlgorithm } from './findMatchingSecret.ts';
import { parseKeyValueHeader } from './parseKeyValueHeader.ts';
import { readHeader } from './readHeader.ts';
import { readSignatures } from './readSignatures.ts';
import { compileSignedContent, renderSignedContent } from './signedContent.ts';

/** Timestamp and signatures in one header as pairs: Stripe `t=..,v1=..`, Paddle `ts=..;h1=..`. */
export interface PairsLayout {
  readonly kind: 'pairs';
  readonly separator: string;
  readonly timestampKey: string;
  readonly signatureKey: string;
}

/** Timestamp in its own header, one prefixed signature in another: Slack, Zoom, Twitch. */
export interface SplitLayout {
  readonly kind: 'split';
  readonly timestampHeader: string;
  readonly prefix: string;
}

export interface TimestampedHmacOptions {
  /** Name reported on success, e.g. `stripe-v1`. */
  readonly scheme: string;
  /** Lower-case header that carries the signature(s). */
  readonly signatureHeader: string;
  readonly layout: PairsLayout | SplitLayout;
  /** What is signed, with `{timestamp}` as received, e.g. `v0:{timestamp}:{body}`. */
  readonly content: string;
  readonly timestampFormat?: TimestampFormat;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: SignatureEncoding;
  /** Default tolerance; a source's `toleranceSeconds` overrides it. */
  readonly toleranceSeconds: number;
}

type Parsed = { readonly timestamp: string; readonly candidates: Buffer[] } | { readonly reason: string };

function parsePairs(
  input: VerifyInput,
  header: string,
  layout: PairsLayout,
  encoding: SignatureEncoding,
): Parsed {
  // With `;` between pairs a comma can only come from a second copy of the header, joined by the ingress.
  const read = readHeader(input.request.headers, [header], layout.separator !== ',');
  if ('reason' in read) return read;
  const pairs = parseKeyValueHeader(read.value, layout.separator);
  if (pairs === undefined) return { reason: `malformed ${header} header` };
  const timestamps = pairs.filter(([k]) => k === layout.timestampKey);
  if (timestamps.length === 0) return { reason: `no timestamp in ${header} header` };
  if (timestamps.length > 1) return { reason: `duplicated ${header} header` };
  const candidates: Buffer[] = [];
  for (const [key, value] of pairs) {
    if (key !== layout.signatureKey) continue;
    const decoded = decodeSignature(value, encoding);
    if (decoded !== undefined) candidates.push(decoded);
  }
  if (candidates.length === 0) return { reason: `no ${layout.signatureKey} signature in ${header} header` };
  return { timestamp: timestamps[0]![1], candidates };
}

function parseSplit(
  input: VerifyInput,
  header: string,
  layout: SplitLayout,
  encoding: SignatureEncoding,
): Parsed {
  const timestamp = readHeader(input.request.headers, [layout.timestampHeader], true);
  if ('reason' in timestamp) return timestamp;
  const signature = readHeader(input.request.headers, [header], true);
  if ('reason' in signature) return signature;
  const candidates = readSignatures(signature.value, header, { encoding, prefix: layout.prefix });
  if (typeof candidates === 'string') return { reason: candidates };
  return { timestamp: timestamp.value, candidates };
}

/**
 * HMAC over a signed-content template that includes a timestamp, with the timestamp bounded both ways
 * (stale and future). Covers Stripe (`{timestamp}.{body}`, `t=..,v1=..,v1=..`), Calendly, Paddle
 * (`{timestamp}:{body}`, `ts=..;h1=..`), Slack and Zoom (`v0:{timestamp}:{body}`) and Twitch
 * (`{header:twitch-eventsub-message-id}{timestamp}{body}`, RFC 3339 time).
 *
 * The MAC is checked before the time, so "timestamp too old" only ever describes an authentic replay.
 *
 * @example
 * const stripe = timestampedHmacScheme({ scheme: 'stripe-v1', signatureHeader: 'stripe-signature',
 *   layout: { kind: 'pairs', separator: ',', timestampKey: 't', signatureKey: 'v1' },
 *   content: '{timestamp}.{body}', algorithm: 'sha256', encoding: 'hex', toleranceSeconds: 300 });
 */
export function timestampedHmacScheme(options: TimestampedHmacOptions): SchemeVerifier {
  const content = compileSignedContent(options.content);
  const format = options.timestampFormat ?? 'unix-seconds';
  const timestampSource =
    options.layout.kind === 'pairs' ? options.signatureHeader : options.layout.timestampHeader;
  return (input) => {
    const parsed =
      options.layout.kind === 'pairs'
        ? parsePairs(input, options.signatureHeader, options.layout, options.encoding)
        : parseSplit(input, options.signatureHeader, options.layout, options.encoding);
    if ('reason' in parsed) return { ok: false, reason: parsed.reason };
    const seconds = parseTimestamp(parsed.timestamp, format);
    if (seconds === undefined)
      return { ok: false, reason: `malformed timestamp in ${timestampSource} header` };
    const signed = renderSignedContent(content, input.request, parsed.timestamp);
    if ('missingHeader' in signed) return { ok: false, reason: `missing ${signed.missingHeader} header` };
    const secretIndex = findMatchingSecret(
      input.source.secrets,
      options.algorithm,
      signed,
      parsed.candidates,
    );
    if (secretIndex < 0) return { ok: false, reason: 'signature does not match' };
    const stale = checkTimestamp(
      seconds,
      input.nowSeconds,
      input.source.toleranceSeconds ?? options.toleranceSeconds,
    );
    if (stale !== undefined) return { ok: false, reason: stale };
    return { ok: true, scheme: options.scheme, secretIndex };
  };
}
