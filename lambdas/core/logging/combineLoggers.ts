import type { Logger } from '../ports.ts';

/**
 * One logger that writes every line to each of `loggers`, e.g. readable lines on stderr and JSON lines
 * in a log file.
 *
 * @example
 * const logger = combineLoggers(createAgentLogger({ json: false }), createJsonLogger(file.write));
 */
export function combineLoggers(...loggers: readonly Logger[]): Logger {
  return {
    info: (event, fields) => {
      for (const logger of loggers) logger.info(event, fields);
    },
    warn: (event, fields) => {
      for (const logger of loggers) logger.warn(event, fields);
    },
    error: (event, fields) => {
      for (const logger of loggers) logger.error(event, fields);
    },
  };
}
