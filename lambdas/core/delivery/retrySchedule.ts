import { RETENTION_MS } from '../ingress/limits.ts';

/** First redelivery of an unacked envelope after 30 s; doubling up to 15 minutes. */
export const FIRST_RETRY_MS = 30_000;
export const MAX_RETRY_MS = 15 * 60_000;

/**
 * When an envelope published for the `attempt`-th time (1-based) comes back if it is not acked yet:
 * exponential backoff with ±20% jitter so a reconnecting fleet doesn't synchronise.
 *
 * @example
 * nextAttemptAt(3, now, Math.random); // about now + 120 s
 */
export function nextAttemptAt(attempt: number, now: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  const jitter = 1 + (random() * 0.4 - 0.2);
  return now + Math.round(base * jitter);
}

/** The instant after which an envelope is expired (72 h after the ingress accepted it). */
export function expiresAt(receivedAt: number): number {
  return receivedAt + RETENTION_MS;
}

/** True once the 72 h retention has passed. */
export function isExpired(receivedAt: number, now: number): boolean {
  return now >= expiresAt(receivedAt);
}
