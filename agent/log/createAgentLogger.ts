import { createJsonLogger } from '../../lambdas/core/logging/createJsonLogger.ts';
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
    (line) => {
      const { time, level, event, ...fields } = JSON.parse(line) as Record<string, unknown>;
      const pairs = Object.entries(fields).map(([name, value]) => `${name}=${formatValue(value)}`);
      write(
        `${String(time).slice(11, 19)} ${String(level).padEnd(5)} ${String(event)}${pairs.length ? ` ${pairs.join(' ')}` : ''}\n`,
      );
    },
    {},
    options.now,
  );
}

function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"=]/.test(text) ? JSON.stringify(text) : text;
}
