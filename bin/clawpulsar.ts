/**
 * The `clawpulsar` command line. Each command lives in `bin/commands/<name>.ts` and registers itself.
 */
import { Command, CommanderError } from 'commander';
import { EXIT } from './cli/output.ts';
import { registerAgent } from './commands/agent.ts';
import { registerAgents } from './commands/agents.ts';
import { registerBudget } from './commands/budget.ts';
import { registerDashboard } from './commands/dashboard.ts';
import { registerDeliveries } from './commands/deliveries.ts';
import { registerDev } from './commands/dev.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerHistory } from './commands/history.ts';
import { registerKeys } from './commands/keys.ts';
import { registerLogs } from './commands/logs.ts';
import { registerOnboard } from './commands/onboard.ts';
import { registerService } from './commands/service.ts';
import { registerSource } from './commands/source.ts';
import { registerStatus } from './commands/status.ts';
import { registerToken } from './commands/token.ts';
import { registerVerify } from './commands/verify.ts';

const program = new Command()
  .name('clawpulsar')
  .description('Webhook relay and LLM budget monitor for AI agents on your own machine')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerDev(program);
registerToken(program);
registerSource(program);
registerAgent(program);
registerAgents(program);
registerDeliveries(program);
registerVerify(program);
registerBudget(program);
registerKeys(program);
registerHistory(program);
registerLogs(program);
registerService(program);
registerDoctor(program);
registerStatus(program);
registerDashboard(program);
registerOnboard(program);

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
