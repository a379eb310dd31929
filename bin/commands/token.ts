import type { Command } from 'commander';
import {
  type ManagementOptions,
  runManagement,
  when,
  withManagementOptions,
} from '../cli/managementCommand.ts';
import { print } from '../cli/output.ts';

interface TokenOptions extends ManagementOptions {
  agent: string;
  ttl: string;
}

/** `clawpulsar token create --agent ID [--ttl MINUTES]`: a one-time registration token for an agent. */
export function registerToken(program: Command): void {
  const token = program.command('token').description('one-time registration tokens for agents');
  withManagementOptions(
    token
      .command('create')
      .description('create a one-time registration token (and the agent, pending until it registers)')
      .requiredOption('--agent <id>', 'agent id: 3-63 lower-case letters, digits or dashes')
      .option('--ttl <minutes>', 'minutes the token stays valid (1-1440)', '15'),
  ).action(async (options: TokenOptions) => {
    await runManagement(options, async (client) => {
      const created = await client.request<{ agentId: string; token: string; expiresAt: number }>(
        'POST',
        '/v1/tokens',
        { agentId: options.agent, ttlMinutes: Number(options.ttl) },
      );
      print(
        options,
        { ...created, edgeUrl: client.edgeUrl },
        [
          `Registration token for agent "${created.agentId}" (valid until ${when(created.expiresAt)}, usable once):`,
          '',
          `  ${created.token}`,
          '',
          'On the agent machine run:',
          `  clawpulsar agent register --edge ${client.edgeUrl} --token ${created.token}`,
        ].join('\n'),
      );
    });
  });
}
