/** AWS IoT Core's keep-alive bounds: below 30 s counts as 30, 0 or over 1200 s as 1200. */
export const KEEPALIVE_MIN_SECONDS = 30;
export const KEEPALIVE_MAX_SECONDS = 1200;

/**
 * The keep-alive the broker holds an agent to, given what its CONNECT asked for. The broker drops a
 * connection silent for 1.5 × this, so keep-alive 0 ("never") can't leave a half-open connection online
 * for ever, and both runtimes drop a silent agent alike.
 *
 * @example
 * keepAliveSeconds(0); // 1200
 * keepAliveSeconds(60); // 60
 */
export function keepAliveSeconds(requested: number): number {
  if (requested === 0 || requested > KEEPALIVE_MAX_SECONDS) return KEEPALIVE_MAX_SECONDS;
  return Math.max(requested, KEEPALIVE_MIN_SECONDS);
}
