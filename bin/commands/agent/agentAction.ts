import { agentDir } from '../../../agent/home/agentPaths.ts';
import { BadRequestError } from '../../../lambdas/core/errors.ts';
import { EXIT, printError, UsageError } from '../../cli/output.ts';

export interface AgentCommandOptions {
  dir?: string;
  json?: boolean;
}

/**
 * Runs an agent command with its home directory resolved (`--dir`, `CLAWPULSAR_AGENT_DIR`, or
 * `~/.clawpulsar/agent`), printing errors so a person knows what to do next. Exit code 2 for input the
 * command refused, 1 for anything else that failed.
 */
export async function agentAction(
  options: AgentCommandOptions,
  action: (dir: string) => Promise<void> | void,
): Promise<void> {
  try {
    await action(agentDir(options.dir));
  } catch (error) {
    printError(options, error);
    process.exitCode =
      error instanceof BadRequestError || error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}

/** Adds the options every agent command shares. */
export function withAgentOptions<T extends { option: (flags: string, description: string) => T }>(
  command: T,
): T {
  return command
    .option('--dir <dir>', 'agent home (default $CLAWPULSAR_AGENT_DIR or ~/.clawpulsar/agent)')
    .option('--json', 'print JSON for scripts');
}
