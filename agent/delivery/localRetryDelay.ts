import type { ForwardingOptions } from '../config/agentConfig.ts';

/**
 * Milliseconds a `Retry-After` value asks for (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), or
 * undefined when it is absent or unreadable.
 *
 * @example
 * retryAfterMs('3', Date.now()); // 3000
 */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // HTTP-dates start with a day name ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone takes "-1".
  const at = /^[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long to wait before local attempt `attempt + 1`: exponential from `retryBaseMs`, capped at
 * `retryMaxMs`, with full jitter in the upper half so retries after an OpenClaw restart don't arrive
 * all at once. A `Retry-After` from the target is honoured as a minimum; when it asks for longer than
 * `retryMaxMs`, the agent stops retrying locally (undefined) and leaves the envelope to the edge.
 */
export function localRetryDelay(
  attempt: number,
  retryAfter: number | undefined,
  options: Pick<ForwardingOptions, 'retryBaseMs' | 'retryMaxMs'>,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfter !== undefined && retryAfter > options.retryMaxMs) return undefined;
  const base = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(base / 2 + random() * (base / 2));
  return Math.max(jittered, retryAfter ?? 0);
}
