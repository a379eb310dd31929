import type { SchemeVerifier } from '../types.ts';
import type { SignatureEncoding } from './decodeSignature.ts';
import { findMatchingSecret, type HmacAlgorithm } from './findMatchingSecret.ts';
import { readHeader } from './readHeader.ts';
import { readSignatures } from './readSignatures.ts';
import { compileSignedContent, renderSignedContent } from './signedContent.ts';

export interface HmacHeaderOptions {
  /** Name reported on success, e.g. `github-sha256`. */
  readonly scheme: string;
  /** Lower-case header names that may carry the signature; the first present is read. */
  readonly headers: readonly string[];
  readonly algorithm: HmacAlgorithm;
  readonly encoding: SignatureEncoding;
  /** Text before each signature, e.g. `sha256=`. */
  readonly prefix?: string;
  /** Separator between several signatures in one header; without it the header holds exactly one. */
  readonly separator?: string;
  /** What is signed (see `compileSignedContent`); default the raw body alone. */
  readonly content?: string;
}

/**
 * HMAC over the raw body (or a template around it), carried in one header as hex or base64, with an
 * optional prefix and optionally several signatures. GitHub, Shopify, Meta, PagerDuty, Sentry, … are
 * instances of it. Every configured secret is tried, newest first.
 *
 * @example
 * const github = hmacHeaderScheme({ scheme: 'github-sha256', headers: ['x-hub-signature-256'],
 *   algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' });
 */
export function hmacHeaderScheme(options: HmacHeaderOptions): SchemeVerifier {
  const content = compileSignedContent(options.content ?? '{body}');
  return (input) => {
    const header = readHeader(input.request.headers, options.headers, options.separator === undefined);
    if ('reason' in header) return { ok: false, reason: header.reason };
    const candidates = readSignatures(header.value, header.name, options);
    if (typeof candidates === 'string') return { ok: false, reason: candidates };
    const signed = renderSignedContent(content, input.request);
    if ('missingHeader' in signed) return { ok: false, reason: `missing ${signed.missingHeader} header` };
    const secretIndex = findMatchingSecret(input.source.secrets, options.algorithm, signed, candidates);
    if (secretIndex < 0) return { ok: false, reason: 'signature does not match' };
    return { ok: true, scheme: options.scheme, secretIndex };
  };
}
