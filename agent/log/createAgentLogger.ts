import { createJsonLogger } from '../../lambdas/core/logging/createJsonLogger.ts';
import { formatLogRecord } from '../../lambdas/core/logging/formatLogRecord.ts';
import type { Logger } from '../../lambdas/core/ports.ts';

/**
 * The agent's logger on stderr: JSON lines (`--json-logs`, for log shippers) or readable lines for a
 * person at a terminal. Both carry metadata only (ids, status, latency); the JSON logger's redaction of
 * secret-looking field names applies to both.
 *
 * @example
 * const logger = createAgentLogger({ json: false });
 * logger.info('delivery_forwarded', { envelopeId, statusCode: 200 }); // 12:00:00 info delivery_forwarded envelopeId=… statusCode=200
 */
export function createAgentLogger(options: {
  json: boolean;
  write?: (line: string) => void;
  now?: () => number;
}): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  if (options.json) return createJsonLogger(write, {}, options.now);
  return createJsonLogger(
    (line) => write(`${formatLogRecord(JSON.parse(line) as Record<string, unknown>)}\n`),
    {},
    options.now,
  );
}
