import { createJsonLogger } from '../../core/logging/createJsonLogger.ts';
import type { Logger } from '../../core/ports.ts';

/**
 * The handlers' logger: JSON lines on stdout, which Lambda ships to CloudWatch Logs, tagged with the
 * handler's name. Metadata only (see createJsonLogger's redaction).
 *
 * @example
 * const logger = lambdaLogger('dispatcher');
 */
export function lambdaLogger(handler: string): Logger {
  return createJsonLogger((line) => process.stdout.write(line), { handler });
}

/** Names an error for a log line without its message, which could quote input. */
export function errorName(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string')
    return error.code;
  return error instanceof Error ? error.name : typeof error;
}
