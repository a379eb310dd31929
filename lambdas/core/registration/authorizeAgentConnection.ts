import type { AgentRepository, CertificateRepository, Clock, Logger } from '../ports.ts';

export interface ConnectionAuthDeps {
  readonly agents: AgentRepository;
  readonly certificates: CertificateRepository;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * Decides whether a TLS-authenticated agent may use the tunnel: the agent is active and the certificate
 * is one we issued to it, active and unexpired. Connecting with a renewed certificate supersedes the
 * agent's older ones, so a copied old certificate can't connect afterwards.
 *
 * @example
 * if (!(await authorizeAgentConnection(deps, { agentId, serialNumber }))) refuse();
 */
export async function authorizeAgentConnection(
  deps: ConnectionAuthDeps,
  peer: { readonly agentId: string; readonly serialNumber: string },
): Promise<boolean> {
  const serial = peer.serialNumber.toLowerCase().replace(/^0+/, '');
  const [agent, certificates] = await Promise.all([
    deps.agents.get(peer.agentId),
    deps.certificates.listByAgent(peer.agentId),
  ]);
  const now = deps.clock.now();
  const presented = certificates.find((c) => c.serialNumber.replace(/^0+/, '') === serial);
  const allowed =
    agent?.status === 'active' &&
    presented !== undefined &&
    presented.status === 'active' &&
    presented.notAfter > now &&
    presented.notBefore <= now;
  if (!allowed) {
    deps.logger.warn('tunnel_refused', {
      agentId: peer.agentId,
      serialNumber: serial,
      reason: !agent
        ? 'unknown_agent'
        : agent.status !== 'active'
          ? 'agent_revoked'
          : 'certificate_not_active',
    });
    return false;
  }
  for (const cert of certificates) {
    if (cert.status === 'active' && cert !== presented && cert.issuedAt < presented.issuedAt) {
      await deps.certificates.put({ ...cert, status: 'superseded' });
    }
  }
  return true;
}
