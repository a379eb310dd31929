import type { Command } from 'commander';
import { type Register, registerLazily } from '../cli/registerLazily.ts';

/**
 * Each subcommand's module loads only when it runs: `clawpulsar agent run` is a long-running process, and
 * it should not carry the CSR encoder, the registration client or the stack resolver in memory. Help and
 * unknown words load them all.
 */
const subcommands: Record<string, () => Promise<Register>> = {
  register: async () => (await import('./agent/registerCommand.ts')).registerAgentRegister,
  route: async () => (await import('./agent/routeCommands.ts')).registerAgentRoutes,
  allowlist: async () => (await import('./agent/allowlistCommands.ts')).registerAgentAllowlist,
  alerts: async () => (await import('./agent/alertCommands.ts')).registerAgentAlerts,
  tunnel: async () => (await import('./agent/tunnelCommands.ts')).registerAgentTunnel,
  run: async () => (await import('./agent/runCommand.ts')).registerAgentRun,
  status: async () => (await import('./agent/statusCommand.ts')).registerAgentStatus,
};

/**
 * `clawpulsar agent …`: the relay client on the user's machine — register, route, allowlist, run,
 * status, budget alerts, the tunnel's port. Everything it writes lives in the agent home (0700), files
 * 0600.
 */
export async function registerAgent(program: Command, argv: readonly string[] = process.argv): Promise<void> {
  const agent = program.command('agent').description('the relay client on this machine');
  await registerLazily(agent, subcommands, argv[argv.indexOf('agent') + 1]);
}
