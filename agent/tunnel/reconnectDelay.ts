/** First reconnect after about a second; never more than a minute apart. */
export const RECONNECT_BASE_MS = 1_000;
export const RECONNECT_MAX_MS = 60_000;

/**
 * Delay before reconnect attempt `attempt` (1-based): exponential, capped, with jitter over the upper
 * half so a fleet that lost its edge at once doesn't come back in lockstep.
 *
 * @example
 * reconnectDelay(3); // between 2 s and 4 s
 */
export function reconnectDelay(
  attempt: number,
  options: { baseMs?: number; maxMs?: number } = {},
  random: () => number = Math.random,
): number {
  const baseMs = options.baseMs ?? RECONNECT_BASE_MS;
  const maxMs = options.maxMs ?? RECONNECT_MAX_MS;
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
