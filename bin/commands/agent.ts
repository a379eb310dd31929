import type { Command } from 'commander';
import { registerAgentAlerts } from './agent/alertCommands.ts';
import { registerAgentAllowlist } from './agent/allowlistCommands.ts';
import { registerAgentRegister } from './agent/registerCommand.ts';
import { registerAgentRoutes } from './agent/routeCommands.ts';
import { registerAgentRun } from './agent/runCommand.ts';
import { registerAgentStatus } from './agent/statusCommand.ts';

/**
 * `clawpulsar agent …`: the relay client on the user's machine — register, route, allowlist, run,
 * status, budget alerts. Everything it writes lives in the agent home (0700), files 0600.
 */
export function registerAgent(program: Command): void {
  const agent = program.command('agent').description('the relay client on this machine');
  registerAgentRegister(agent);
  registerAgentRoutes(agent);
  registerAgentAllowlist(agent);
  registerAgentAlerts(agent);
  registerAgentRun(agent);
  registerAgentStatus(agent);
}
