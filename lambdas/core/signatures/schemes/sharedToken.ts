import { createHash, timingSafeEqual } from 'node:crypto';

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Finds the configured token equal to the one the request presented (Telegram's secret token, GitLab's
 * X-Gitlab-Token). Both sides are hashed first and the digests compared in constant time, so neither the
 * content nor the length of a configured token leaks through timing. Empty tokens never match.
 *
 * @returns the index of the matching token, or -1.
 * @example
 * matchSharedToken(request.headers['x-telegram-bot-api-secret-token'], source.secrets); // 0
 */
export function matchSharedToken(presented: string, tokens: readonly string[]): number {
  if (presented.length === 0) return -1;
  const presentedDigest = digest(presented);
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    if (token.length > 0 && timingSafeEqual(presentedDigest, digest(token))) return index;
  }
  return -1;
}
