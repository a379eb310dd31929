import type { Command } from 'commander';
import type { RecordedStack } from '../../agent/config/agentConfig.ts';
import { UsageError } from './output.ts';
import type { StackTargetOptions } from './resolveStackTarget.ts';

/** `--stack`, `--region`, `--profile` as commander stores them. */
export interface StackOptions {
  stack?: string;
  region?: string;
  profile?: string;
}

/** The stack to manage when no `--stack` is given (and no edge was chosen with `--edge`/`--data-dir`). */
export const STACK_ENV = 'CLAWPULSAR_STACK';

const KEYS = ['stack', 'region', 'profile'] as const;

/**
 * Adds the options that point a command at a deployed stack. They are accepted on the command
 * (`clawpulsar agents list --stack prod`) and, once for all, before it (`clawpulsar --stack prod agents list`).
 */
export function withStackOptions(command: Command): Command {
  return command
    .option('--stack <name>', `manage a deployed AWS stack (default $${STACK_ENV}) with your AWS credentials`)
    .option('--region <region>', 'AWS region of --stack (default $AWS_REGION or your profile’s)')
    .option('--profile <profile>', 'AWS profile for --stack (default $AWS_PROFILE)');
}

/**
 * The stack a command is pointed at: `--stack`, else $CLAWPULSAR_STACK unless an edge was named
 * explicitly, else the stack this machine's agent registered with (`recorded`, from its config, in its
 * region unless `--region` says otherwise); undefined for the local edge. Contradictory options are usage
 * errors.
 *
 * @example
 * const stack = chosenStack({ stack: 'prod', region: 'eu-west-1' }); // { stack: 'prod', region: 'eu-west-1' }
 * chosenStack({}, { name: 'ClawPulsar', region: 'eu-west-1' }); // { stack: 'ClawPulsar', region: 'eu-west-1' }
 */
export function chosenStack(
  options: StackOptions & { edge?: string; tokenFile?: string; dataDir?: string },
  recorded?: RecordedStack,
): StackTargetOptions | undefined {
  const edgeChosen = options.edge !== undefined || options.dataDir !== undefined;
  if (options.stack !== undefined && (edgeChosen || options.tokenFile !== undefined)) {
    throw new UsageError(
      '--stack manages a deployed stack with your AWS credentials; --edge, --token-file and --data-dir are for an edge. Give one or the other.',
    );
  }
  const stack = options.stack ?? (edgeChosen ? undefined : process.env[STACK_ENV] || undefined);
  if (stack === undefined && recorded && !edgeChosen && options.tokenFile === undefined) {
    const region = options.region ?? recorded.region;
    return {
      stack: recorded.name,
      ...(region !== undefined ? { region } : {}),
      ...(options.profile !== undefined ? { profile: options.profile } : {}),
    };
  }
  if (stack === undefined) {
    if (options.region !== undefined || options.profile !== undefined) {
      throw new UsageError(
        `--region and --profile say where to find a stack: give it with --stack NAME (or $${STACK_ENV}).`,
      );
    }
    return undefined;
  }
  return {
    stack,
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
  };
}

/**
 * Makes `--stack`, `--region` and `--profile` global: given before the command word, they are handed to
 * the command that runs (its own values win); a command that can't manage a stack refuses them.
 */
export function passGlobalStackOptions(program: Command): void {
  withStackOptions(program);
  program.hook('preAction', (_program, action) => {
    const globals = program.opts<StackOptions>();
    const given = KEYS.filter((key) => globals[key] !== undefined);
    if (given.length === 0 || action === program) return;
    if (!action.options.some((option) => option.attributeName() === 'stack')) {
      action.error(
        `error: --${given[0]} is for commands that manage a stack; \`${commandPath(action)}\` does not take it`,
        { exitCode: 2, code: 'clawpulsar.stackOptionNotApplicable' },
      );
    }
    for (const key of given) {
      if (action.getOptionValue(key) === undefined) action.setOptionValueWithSource(key, globals[key], 'cli');
    }
  });
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}
