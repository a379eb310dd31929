import { createHash, timingSafeEqual } from 'node:crypto';
import type { SchemeVerifier } from '../types.ts';
import { readHeader } from './readHeader.ts';

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Finds the configured token equal to the one the request presented. Both sides are hashed first and the
 * digests compared in constant time, so neither the content nor the length of a configured token leaks
 * through timing. Empty tokens, and secrets `isToken` rejects, never match.
 *
 * @returns the index of the matching token in `tokens`, or -1.
 * @example
 * matchSharedToken(presented, ['new-token', 'old-token']); // 1 while the old token is still sent
 */
export function matchSharedToken(
  presented: string,
  tokens: readonly string[],
  isToken: (secret: string) => boolean = () => true,
): number {
  if (presented.length === 0) return -1;
  const presentedDigest = digest(presented);
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.length > 0 && isToken(token) && timingSafeEqual(presentedDigest, digest(token))) return index;
  }
  return -1;
}

export interface SharedTokenOptions {
  /** Reported scheme, e.g. `telegram-secret-token`. */
  readonly scheme: string;
  /** Lower-case header carrying the token. */
  readonly header: string;
  /**
   * Whether a comma can only mean the header was sent twice (true when the provider's tokens can't
   * contain one, as Telegram's can't). Tokens a user chose freely (GitLab's) are compared whole.
   */
  readonly single: boolean;
  /** The shape a presented token must have; anything else is malformed, not merely wrong. */
  readonly pattern?: RegExp;
  /** Which configured secrets are tokens for this scheme, when a provider keeps other kinds beside them. */
  readonly isToken?: (secret: string) => boolean;
}

/**
 * A shared-token scheme: the provider sends the configured token itself in a header, compared in
 * constant time with every configured token. Nothing binds it to the body or to a time, so the delivery
 * id is the only defence against replays; it is what Telegram and GitLab's older webhooks offer.
 *
 * @example
 * const telegram = sharedTokenScheme({ scheme: 'telegram-secret-token',
 *   header: 'x-telegram-bot-api-secret-token', single: true, pattern: /^[A-Za-z0-9_-]{1,256}$/ });
 */
export function sharedTokenScheme(options: SharedTokenOptions): SchemeVerifier {
  return ({ request, source }) => {
    const header = readHeader(request.headers, [options.header], options.single);
    if ('reason' in header) return { ok: false, reason: header.reason };
    if (options.pattern !== undefined && !options.pattern.test(header.value)) {
      return { ok: false, reason: `malformed ${options.header} header` };
    }
    const secretIndex = matchSharedToken(header.value, source.secrets, options.isToken);
    if (secretIndex === -1) return { ok: false, reason: 'token does not match' };
    return { ok: true, scheme: options.scheme, secretIndex };
  };
}
