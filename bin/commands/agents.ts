import type { Command } from 'commander';
import type { AgentView } from '../../lambdas/core/management/AgentView.ts';
import {
  type ManagementOptions,
  runManagement,
  table,
  when,
  withManagementOptions,
} from '../cli/managementCommand.ts';
import { print } from '../cli/output.ts';

/** `clawpulsar agents list|revoke`: the operator's view of registered agents. */
export function registerAgents(program: Command): void {
  const agents = program.command('agents').description('agents registered with the edge');
  withManagementOptions(
    agents.command('list').description('list agents, their presence and certificate expiry'),
  ).action(async (options: ManagementOptions) => {
    await runManagement(options, async (client) => {
      const { agents: list } = await client.request<{ agents: AgentView[] }>('GET', '/v1/agents');
      const human = list.length
        ? table(
            ['AGENT', 'STATUS', 'ONLINE', 'LAST SEEN', 'CERT EXPIRES', 'HOST'],
            list.map((a) => [
              a.agentId,
              a.status,
              a.online ? 'yes' : 'no',
              when(a.lastSeen),
              when(a.certificateExpiresAt),
              a.hostname ?? '-',
            ]),
          )
        : 'No agents yet. Create one with: clawpulsar token create --agent my-laptop';
      print(options, { agents: list }, human);
    });
  });
  withManagementOptions(
    agents
      .command('revoke')
      .description('revoke an agent: its certificates stop working at once')
      .argument('<agentId>'),
  ).action(async (agentId: string, options: ManagementOptions) => {
    await runManagement(options, async (client) => {
      const agent = await client.request<AgentView>(
        'POST',
        `/v1/agents/${encodeURIComponent(agentId)}/revoke`,
      );
      print(
        options,
        agent,
        `Agent "${agent.agentId}" revoked; its tunnel was closed and its webhook URLs now answer 404.`,
      );
    });
  });
}
