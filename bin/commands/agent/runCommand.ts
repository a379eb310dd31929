import type { Command } from 'commander';
import { createAgentLogger } from '../../../agent/log/createAgentLogger.ts';
import { runAgent } from '../../../agent/runAgent.ts';
import { EXIT } from '../../cli/output.ts';
import { agentAction } from './agentAction.ts';

interface RunOptions {
  dir?: string;
  jsonLogs?: boolean;
}

/**
 * `clawpulsar agent run`: keeps the tunnel open and forwards deliveries until SIGINT/SIGTERM (exit 0),
 * revocation or certificate expiry (exit 1). Logs go to stderr, metadata only.
 */
export function registerAgentRun(agent: Command): void {
  agent
    .command('run')
    .description('connect to the edge and forward webhooks to the local routes until stopped')
    .option('--dir <dir>', 'agent home (default $CLAWPULSAR_AGENT_DIR or ~/.clawpulsar/agent)')
    .option('--json-logs', 'log JSON lines instead of readable lines')
    .action(async (options: RunOptions) => {
      await agentAction({ ...(options.dir !== undefined ? { dir: options.dir } : {}) }, async (dir) => {
        const logger = createAgentLogger({ json: options.jsonLogs ?? false });
        const running = await runAgent({ dir, logger });
        const onSignal = () => void running.stop();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        const exit = await running.done;
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.exitCode = exit === 'stopped' ? EXIT.ok : EXIT.failed;
      });
    });
}
