import { createPublicKey, type KeyObject, verify as verifySignature } from 'node:crypto';
import type { SchemeVerifier } from '../types.ts';
import { checkTimestamp, parseTimestamp } from './checkTimestamp.ts';
import { decodeSignature } from './decodeSignature.ts';
import { findMatchingSecret } from './findMatchingSecret.ts';
import { readHeader } from './readHeader.ts';
import { splitHeaderList } from './splitHeaderList.ts';

/** The three headers of one naming: `webhook-*` (the spec) or `svix-*` (Svix and the services on it). */
export interface StandardWebhooksHeaders {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
}

export const WEBHOOK_HEADERS: StandardWebhooksHeaders = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
};
export const SVIX_HEADERS: StandardWebhooksHeaders = {
  id: 'svix-id',
  timestamp: 'svix-timestamp',
  signature: 'svix-signature',
};

export interface StandardWebhooksOptions {
  /** Prefix of the reported scheme: `<scheme>-v1` or `<scheme>-v1a`. */
  readonly scheme: string;
  /** Header namings to accept, in order of preference; the first whose signature header is present wins. */
  readonly headerSets: readonly StandardWebhooksHeaders[];
  /** Default tolerance; a source's `toleranceSeconds` overrides it. */
  readonly toleranceSeconds: number;
}

type Key = { readonly kind: 'v1'; readonly key: Buffer } | { readonly kind: 'v1a'; readonly key: KeyObject };

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Turns a configured secret into a key: `whsec_<base64>` an HMAC key, `whpk_<base64>` an Ed25519 public
 * key (raw 32 bytes), a bare base64 string an HMAC key (as the reference libraries read it). A leading
 * `v1,` (how Supabase displays its hook secrets) is dropped. Undefined when it decodes to nothing usable.
 */
export function parseStandardWebhooksSecret(secret: string): Key | undefined {
  const text = secret.startsWith('v1,') ? secret.slice(3) : secret;
  if (text.startsWith('whpk_')) {
    const raw = decodeSignature(text.slice('whpk_'.length), 'base64');
    if (raw?.length !== 32) return undefined;
    return {
      kind: 'v1a',
      key: createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' }),
    };
  }
  const key = decodeSignature(text.startsWith('whsec_') ? text.slice('whsec_'.length) : text, 'base64');
  return key === undefined ? undefined : { kind: 'v1', key };
}

/**
 * Standard Webhooks (and Svix): `v1` HMAC-SHA256 over `{id}.{timestamp}.{body}` with a `whsec_` base64
 * secret, and `v1a` Ed25519 with a `whpk_` public key; several space-separated signatures; the
 * timestamp bounded both ways (the spec's 5 minutes by default).
 *
 * @example
 * const sw = standardWebhooksScheme({ scheme: 'standard-webhooks', headerSets: [WEBHOOK_HEADERS, SVIX_HEADERS],
 *   toleranceSeconds: 300 });
 */
export function standardWebhooksScheme(options: StandardWebhooksOptions): SchemeVerifier {
  return (input) => {
    const { headers } = input.request;
    const names =
      options.headerSets.find((set) => headers[set.signature] !== undefined) ?? options.headerSets[0]!;
    const id = readHeader(headers, [names.id], true);
    if ('reason' in id) return { ok: false, reason: id.reason };
    const timestamp = readHeader(headers, [names.timestamp], true);
    if ('reason' in timestamp) return { ok: false, reason: timestamp.reason };
    const signature = readHeader(headers, [names.signature], false);
    if ('reason' in signature) return { ok: false, reason: signature.reason };
    const seconds = parseTimestamp(timestamp.value, 'unix-seconds');
    if (seconds === undefined) return { ok: false, reason: `malformed ${names.timestamp} header` };

    const tokens = splitHeaderList(signature.value, ' ');
    if (tokens === undefined)
      return { ok: false, reason: `too many signatures in ${names.signature} header` };
    const hmacs: Buffer[] = [];
    const ed25519s: Buffer[] = [];
    for (const raw of tokens) {
      // A repeated header arrives joined with ', ', which leaves a trailing comma on a token.
      const token = raw.endsWith(',') ? raw.slice(0, -1) : raw;
      const comma = token.indexOf(',');
      if (comma < 0) continue;
      const version = token.slice(0, comma);
      const decoded = decodeSignature(token.slice(comma + 1), 'base64');
      if (decoded === undefined) continue;
      if (version === 'v1') hmacs.push(decoded);
      else if (version === 'v1a' && decoded.length === 64) ed25519s.push(decoded);
    }
    if (hmacs.length === 0 && ed25519s.length === 0) {
      return { ok: false, reason: `malformed ${names.signature} header` };
    }

    const prefix = `${id.value}.${timestamp.value}.`;
    const content = [prefix, input.request.body];
    let message: Buffer | undefined;
    const { secrets } = input.source;
    let match: { index: number; version: 'v1' | 'v1a' } | undefined;
    for (let i = 0; i < secrets.length && match === undefined; i++) {
      const key = parseStandardWebhooksSecret(secrets[i]!);
      if (key === undefined) continue;
      if (key.kind === 'v1') {
        if (hmacs.length > 0 && findMatchingSecret([key.key], 'sha256', content, hmacs) === 0) {
          match = { index: i, version: 'v1' };
        }
      } else if (ed25519s.length > 0) {
        // Ed25519 signs the whole message at once; this is the one place the body is copied.
        message ??= Buffer.concat([Buffer.from(prefix), input.request.body]);
        const signed = message;
        if (ed25519s.some((sig) => verifySignature(null, signed, key.key, sig)))
          match = { index: i, version: 'v1a' };
      }
    }
    if (match === undefined) return { ok: false, reason: 'signature does not match' };
    const stale = checkTimestamp(
      seconds,
      input.nowSeconds,
      input.source.toleranceSeconds ?? options.toleranceSeconds,
    );
    if (stale !== undefined) return { ok: false, reason: stale };
    return { ok: true, scheme: `${options.scheme}-${match.version}`, secretIndex: match.index };
  };
}
