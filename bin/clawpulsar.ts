/**
 * The `clawpulsar` command line. Each command lives in `bin/commands/<name>.ts` and registers itself.
 */
import { Command, CommanderError } from 'commander';
import { commandWord } from './cli/commandWord.ts';
import { EXIT } from './cli/output.ts';
import { type Register, registerLazily } from './cli/registerLazily.ts';
import { passGlobalStackOptions } from './cli/stackOptions.ts';

const program = new Command()
  .name('clawpulsar')
  .description('Webhook relay and LLM budget monitor for AI agents on your own machine')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();
// `clawpulsar --stack prod agents list`: the stack options may come before the command word too.
passGlobalStackOptions(program);

/**
 * Commands load lazily: `clawpulsar agent run` loads the agent and not the edge's broker, the dashboard or
 * the AWS adapters, which keeps a long-running agent small. Help and unknown words load them all.
 */
const commands: Record<string, () => Promise<Register>> = {
  dev: async () => (await import('./commands/dev.ts')).registerDev,
  token: async () => (await import('./commands/token.ts')).registerToken,
  source: async () => (await import('./commands/source.ts')).registerSource,
  agent: async () => (await import('./commands/agent.ts')).registerAgent,
  agents: async () => (await import('./commands/agents.ts')).registerAgents,
  deliveries: async () => (await import('./commands/deliveries.ts')).registerDeliveries,
  verify: async () => (await import('./commands/verify.ts')).registerVerify,
  budget: async () => (await import('./commands/budget.ts')).registerBudget,
  keys: async () => (await import('./commands/keys.ts')).registerKeys,
  history: async () => (await import('./commands/history.ts')).registerHistory,
  logs: async () => (await import('./commands/logs.ts')).registerLogs,
  service: async () => (await import('./commands/service.ts')).registerService,
  doctor: async () => (await import('./commands/doctor.ts')).registerDoctor,
  status: async () => (await import('./commands/status.ts')).registerStatus,
  dashboard: async () => (await import('./commands/dashboard.ts')).registerDashboard,
  onboard: async () => (await import('./commands/onboard.ts')).registerOnboard,
};
await registerLazily(program, commands, commandWord(process.argv.slice(2), program));
// Registered after the commands so that they keep their own parsing: only the program's options are
// positional (before the command word), which leaves `agents list --stack prod` to the command.
program.enablePositionalOptions();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.stderr.write(`clawpulsar: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failed;
  }
}
