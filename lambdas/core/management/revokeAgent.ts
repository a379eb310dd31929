import { NotFoundError } from '../errors.ts';
import type { AgentView } from './AgentView.ts';
import { getAgent } from './listAgents.ts';
import type { ManagementDeps } from './ManagementDeps.ts';

/**
 * Revokes an agent: every certificate it holds is revoked, its tunnel is closed at once, and its webhook
 * URLs answer 404. Its waiting envelopes stay sealed to its key and expire after 72 h.
 */
export async function revokeAgent(deps: ManagementDeps, agentId: string): Promise<AgentView> {
  const agent = await deps.agents.get(agentId);
  if (!agent) throw new NotFoundError('unknown_agent', `No agent "${agentId}"`);
  const now = deps.clock.now();
  await deps.agents.put({ ...agent, status: 'revoked', revokedAt: agent.revokedAt ?? now });
  for (const cert of await deps.certificates.listByAgent(agentId)) {
    if (cert.status !== 'revoked') await deps.certificates.put({ ...cert, status: 'revoked' });
  }
  deps.onSourceChanged?.(agentId);
  await deps.onAgentRevoked?.(agentId);
  deps.logger.warn('agent_revoked', { agentId });
  return getAgent(deps, agentId);
}
