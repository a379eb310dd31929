import { redactSecretValues } from '../../../lambdas/core/logging/redactSecretValues.ts';
import { type LogComponent, logDir, logFilePath } from './logPaths.ts';
import { RotatingLogFile } from './RotatingLogFile.ts';

export interface LogFileSink {
  readonly path: string;
  /** Writes one JSON line, with secrets of known shapes redacted. */
  write(line: string): void;
  close(): void;
}

/**
 * The log file of a component (`edge.log`, `agent.log`) in `--log-dir` / `CLAWPULSAR_LOG_DIR` /
 * `~/.clawpulsar/logs`, rotated at 10 MiB with 5 files kept, every line value-redacted.
 *
 * @example
 * const file = openLogFile('edge', options.logDir);
 * const logger = createJsonLogger(file.write, { component: 'edge' });
 */
export function openLogFile(component: LogComponent, dir?: string): LogFileSink {
  const file = new RotatingLogFile(logFilePath(logDir(dir), component));
  return {
    path: file.path,
    write: (line) => file.write(redactSecretValues(line)),
    close: () => file.close(),
  };
}
