import type { Logger } from '../ports.ts';

/** Field names whose values are never written, whatever a caller passes. */
const REDACTED_FIELDS =
  /secret|token|password|authorization|body|payload|private|key$|^key|signature|cookie/i;

/**
 * A JSON-lines logger: one object per line with time, level and event. Fields are metadata; any field
 * whose name suggests a secret or content is replaced by "[redacted]" as a second line of defence.
 *
 * @example
 * const logger = createJsonLogger((line) => process.stderr.write(line));
 * logger.info('webhook_accepted', { agentId: 'laptop' });
 */
export function createJsonLogger(
  write: (line: string) => void,
  base: Record<string, unknown> = {},
  now: () => number = Date.now,
): Logger {
  const emit = (level: string, event: string, fields?: Record<string, unknown>) => {
    const record: Record<string, unknown> = { time: new Date(now()).toISOString(), level, event, ...base };
    if (fields) {
      for (const [name, value] of Object.entries(fields)) {
        record[name] = REDACTED_FIELDS.test(name) ? '[redacted]' : value;
      }
    }
    write(`${JSON.stringify(record)}\n`);
  };
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}
