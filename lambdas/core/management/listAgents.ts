import { NotFoundError } from '../errors.ts';
import { type AgentView, toAgentView } from './AgentView.ts';
import type { ManagementDeps } from './ManagementDeps.ts';

/** Every agent with its presence and certificate expiry. */
export async function listAgents(deps: ManagementDeps): Promise<AgentView[]> {
  const agents = await deps.agents.list();
  return Promise.all(
    agents.map(async (a) =>
      toAgentView(a, await deps.certificates.listByAgent(a.agentId), await deps.presence.get(a.agentId)),
    ),
  );
}

/** One agent; 404 when unknown. */
export async function getAgent(deps: ManagementDeps, agentId: string): Promise<AgentView> {
  const agent = await deps.agents.get(agentId);
  if (!agent) throw new NotFoundError('unknown_agent', `No agent "${agentId}"`);
  return toAgentView(agent, await deps.certificates.listByAgent(agentId), await deps.presence.get(agentId));
}
