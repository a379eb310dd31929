import type { Command } from 'commander';
import { createAgentLogger } from '../../../agent/log/createAgentLogger.ts';
import { runAgent } from '../../../agent/runAgent.ts';
import { combineLoggers } from '../../../lambdas/core/logging/combineLoggers.ts';
import { createJsonLogger } from '../../../lambdas/core/logging/createJsonLogger.ts';
import { redactingWriter } from '../../../lambdas/core/logging/redactSecretValues.ts';
import { LineBuffer } from '../../cli/logs/LineBuffer.ts';
import { openLogFile } from '../../cli/logs/openLogFile.ts';
import { EXIT } from '../../cli/output.ts';
import { agentAction } from './agentAction.ts';

interface RunOptions {
  dir?: string;
  jsonLogs?: boolean;
  logDir?: string;
}

/**
 * `clawpulsar agent run`: keeps the tunnel open and forwards deliveries until SIGINT/SIGTERM (exit 0),
 * revocation or certificate expiry (exit 1). Logs go to stderr and to `agent.log`, metadata only.
 */
export function registerAgentRun(agent: Command): void {
  agent
    .command('run')
    .description('connect to the edge and forward webhooks to the local routes until stopped')
    .option('--dir <dir>', 'agent home (default $CLAWPULSAR_AGENT_DIR or ~/.clawpulsar/agent)')
    .option('--json-logs', 'log JSON lines instead of readable lines')
    .option(
      '--log-dir <dir>',
      'where agent.log is written (default $CLAWPULSAR_LOG_DIR or ~/.clawpulsar/logs)',
    )
    .action(async (options: RunOptions) => {
      await agentAction({ ...(options.dir !== undefined ? { dir: options.dir } : {}) }, async (dir) => {
        const file = openLogFile('agent', options.logDir);
        const stderr = new LineBuffer((lines) => void process.stderr.write(lines.join('')));
        const logger = combineLoggers(
          createAgentLogger({
            json: options.jsonLogs ?? false,
            write: redactingWriter((line) => stderr.push(line)),
          }),
          createJsonLogger(file.write, { component: 'agent', agentDir: dir }),
        );
        const running = await runAgent({ dir, logger });
        const onSignal = () => void running.stop();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const exit = await running.done;
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        file.close();
        process.exitCode = exit === 'stopped' ? EXIT.ok : EXIT.failed;
      });
    });
}
