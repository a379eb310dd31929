import { ClawPulsarError } from '../core/errors.ts';

/**
 * Names an error for a log line without its message, which could quote input: a ClawPulsarError's code,
 * a system error's code (ECONNRESET, ERR_SSL_…), or the error's class name.
 *
 * @example
 * logger.error('tunnel_ack_handler_failed', { agentId, error: errorCode(error) });
 */
export function errorCode(error: unknown): string {
  if (error instanceof ClawPulsarError) return error.code;
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string')
    return error.code;
  return error instanceof Error ? error.name : typeof error;
}
