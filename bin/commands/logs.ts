import type { Command } from 'commander';
import { formatLogRecord } from '../../lambdas/core/logging/formatLogRecord.ts';
import { followLogFile } from '../cli/logs/followLogFile.ts';
import { LOG_COMPONENTS, type LogComponent, logDir, logFilePath } from '../cli/logs/logPaths.ts';
import { readLogTail } from '../cli/logs/readLogTail.ts';
import { EXIT, printError, UsageError } from '../cli/output.ts';

interface LogsOptions {
  component?: string;
  follow?: boolean;
  json?: boolean;
  lines: string;
  logDir?: string;
}

/**
 * `clawpulsar logs [--component edge|agent] [--follow] [--json] [--lines N]`: the JSON-lines logs the
 * edge (`dev`) and the agent (`agent run`) write under `~/.clawpulsar/logs`, readable or raw, merged in
 * time order. Secrets of known shapes were redacted before the lines were written.
 */
export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('show the edge and agent logs (~/.clawpulsar/logs), newest last')
    .option('--component <name>', `only one component: ${LOG_COMPONENTS.join(' or ')}`)
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('--json', 'print the raw JSON lines')
    .option('-n, --lines <count>', 'how many earlier lines to show first', '100')
    .option('--log-dir <dir>', 'log directory (default $CLAWPULSAR_LOG_DIR or ~/.clawpulsar/logs)')
    .action(async (options: LogsOptions) => {
      let components: LogComponent[];
      let count: number;
      try {
        components = pickComponents(options.component);
        count = Number(options.lines);
        if (!Number.isInteger(count) || count < 0 || count > 100_000) {
          throw new UsageError('--lines must be a whole number from 0 to 100000');
        }
      } catch (error) {
        printError({}, error);
        process.exitCode = EXIT.usage;
        return;
      }
      const dir = logDir(options.logDir);
      const show = (component: LogComponent, line: string) =>
        process.stdout.write(`${options.json ? line : readable(component, line, components.length > 1)}\n`);

      const earlier = components
        .flatMap((component) =>
          readLogTail(logFilePath(dir, component), count).map((line) => ({
            component,
            line,
            time: timeOf(line),
          })),
        )
        .sort((a, b) => a.time.localeCompare(b.time));
      for (const entry of earlier.slice(Math.max(0, earlier.length - count)))
        show(entry.component, entry.line);
      if (earlier.length === 0 && !options.follow && !options.json) {
        process.stderr.write(
          `No log lines yet in ${dir}. The edge (clawpulsar dev) and the agent (clawpulsar agent run) write there.\n`,
        );
      }
      if (!options.follow) return;
      const followers = components.map((component) =>
        followLogFile(logFilePath(dir, component), (line) => show(component, line)),
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          for (const follower of followers) follower.stop();
          resolve();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

function pickComponents(value: string | undefined): LogComponent[] {
  if (value === undefined) return [...LOG_COMPONENTS];
  if ((LOG_COMPONENTS as readonly string[]).includes(value)) return [value as LogComponent];
  throw new UsageError(`--component must be ${LOG_COMPONENTS.join(' or ')}`);
}

function timeOf(line: string): string {
  const match = /"time":"([^"]+)"/.exec(line);
  return match?.[1] ?? '';
}

function readable(component: LogComponent, line: string, withComponent: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { component: _component, ...rest } = record;
  return formatLogRecord(rest, { date: true, prefix: withComponent ? `${component.padEnd(5)} ` : '' });
}
