import type { DeliveryStatus } from '../ports.ts';

/**
 * What a local target's status code means for an envelope. 2xx: delivered. 408, 429 and 5xx: the target
 * is busy or restarting (OpenClaw answers 503 while its gateway restarts), so the agent keeps retrying
 * and never acks them. Any other status, or 0 (refused by the agent's own allowlist): final failure —
 * codes outside HTTP's 100–599 included, which no retry would fix.
 */
export function classifyStatus(
  statusCode: number,
): Extract<DeliveryStatus, 'delivered' | 'failed'> | 'retry' {
  if (statusCode >= 200 && statusCode < 300) return 'delivered';
  if (statusCode === 408 || statusCode === 429 || (statusCode >= 500 && statusCode <= 599)) return 'retry';
  return 'failed';
}
