import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The processes that write log files. */
export const LOG_COMPONENTS = ['edge', 'agent'] as const;
export type LogComponent = (typeof LOG_COMPONENTS)[number];

/**
 * Where log files live: `--log-dir`, else `CLAWPULSAR_LOG_DIR`, else `~/.clawpulsar/logs`.
 *
 * @example
 * logFilePath(logDir(undefined), 'edge'); // '/home/me/.clawpulsar/logs/edge.log'
 */
export function logDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag ?? env.CLAWPULSAR_LOG_DIR;
  return resolve(chosen && chosen.length > 0 ? chosen : join(homedir(), '.clawpulsar', 'logs'));
}

/** `<dir>/<component>.log`; rotated files add `.1` (newest) to `.4`. */
export function logFilePath(dir: string, component: LogComponent): string {
  return join(dir, `${component}.log`);
}
