import { createHmac } from 'node:crypto';
import { secureEqual } from './secureEqual.ts';

/** What a URL-bound HMAC covers and how to check it. */
export interface UrlBoundHmacInput {
  readonly algorithm: 'sha1' | 'sha256';
  /** The signature from the request, already decoded to bytes. */
  readonly signature: Uint8Array;
  /** Candidate secrets, newest first. */
  readonly secrets: readonly string[];
  /** Signed before the URL (HubSpot v3: the method); default nothing. */
  readonly prefix?: string;
  /**
   * The URL spellings to try, the exact public URL first. Providers sign the URL they called; some (Twilio)
   * are known to sign a spelling with or without the default port, so the caller lists the ones to accept.
   */
  readonly urls: readonly string[];
  /** Signed after the URL, in order: the raw body, sorted form parameters, a timestamp, … */
  readonly suffix: readonly (string | Uint8Array)[];
}

/** Which secret and URL spelling matched. */
export interface UrlBoundHmacMatch {
  readonly secretIndex: number;
  readonly urlIndex: number;
}

/**
 * Finds the secret whose HMAC over `prefix + url + suffix…` equals the signature, trying every URL
 * spelling for every secret. Strings are signed as UTF-8, byte strings as they are. Used by Square,
 * Twilio and HubSpot v3, which all bind the signature to the URL they called.
 *
 * @example
 * matchUrlBoundHmac({ algorithm: 'sha256', signature, secrets: [key], urls: [request.url], suffix: [request.body] });
 * // { secretIndex: 0, urlIndex: 0 } or undefined
 */
export function matchUrlBoundHmac(input: UrlBoundHmacInput): UrlBoundHmacMatch | undefined {
  for (let secretIndex = 0; secretIndex < input.secrets.length; secretIndex++) {
    const secret = input.secrets[secretIndex]!;
    if (secret.length === 0) continue;
    for (let urlIndex = 0; urlIndex < input.urls.length; urlIndex++) {
      const hmac = createHmac(input.algorithm, secret);
      if (input.prefix !== undefined) hmac.update(input.prefix, 'utf8');
      hmac.update(input.urls[urlIndex]!, 'utf8');
      for (const part of input.suffix) {
        if (typeof part === 'string') hmac.update(part, 'utf8');
        else hmac.update(part);
      }
      if (secureEqual(hmac.digest(), input.signature)) return { secretIndex, urlIndex };
    }
  }
  return undefined;
}
