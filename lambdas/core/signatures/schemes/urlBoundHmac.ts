import { findMatchingSecret, type HmacAlgorithm } from './findMatchingSecret.ts';

/** What a URL-bound HMAC covers and how to check it. */
export interface UrlBoundHmacInput {
  readonly algorithm: HmacAlgorithm;
  /** The signature from the request, already decoded to bytes. */
  readonly signature: Uint8Array;
  /** Candidate secrets, newest first. */
  readonly secrets: readonly string[];
  /** Signed before the URL (HubSpot v3: the method); default nothing. */
  readonly prefix?: string;
  /**
   * The URL spellings to accept, the exact public URL first. Providers sign the URL they called; some
   * (Twilio) are known to sign a spelling with or without the default port, so the caller lists them
   * (lazily, if building them costs: an authentic request stops at the first).
   */
  readonly urls: Iterable<string>;
  /** Signed after the URL, in order: the raw body, sorted form parameters, a timestamp, … */
  readonly suffix: readonly (string | Uint8Array)[];
}

/**
 * Finds the secret whose HMAC over `prefix + url + suffix…` equals the signature, for any of the URL
 * spellings. The URL is the one the provider called, so a signature made for one endpoint never verifies
 * at another. Shared by Square, Twilio and HubSpot v3.
 *
 * @returns the index of the matching secret, or -1.
 * @example
 * matchUrlBoundHmac({ algorithm: 'sha256', signature, secrets: [key], urls: [request.url], suffix: [request.body] });
 */
export function matchUrlBoundHmac(input: UrlBoundHmacInput): number {
  const candidates = [input.signature];
  for (const url of input.urls) {
    const content =
      input.prefix === undefined ? [url, ...input.suffix] : [input.prefix, url, ...input.suffix];
    const index = findMatchingSecret(input.secrets, input.algorithm, content, candidates);
    if (index !== -1) return index;
  }
  return -1;
}
