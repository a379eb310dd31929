import type { AgentRecord, CertificateRecord, PresenceRecord } from '../ports.ts';

/** An agent as the management API shows it. */
export interface AgentView {
  readonly agentId: string;
  readonly status: AgentRecord['status'] | 'pending';
  readonly hostname?: string;
  readonly online: boolean;
  readonly lastSeen?: number;
  /** Expiry of the newest active certificate. */
  readonly certificateExpiresAt?: number;
  readonly createdAt: number;
  readonly registeredAt?: number;
  readonly revokedAt?: number;
}

/** Combines an agent's record, its certificates and its presence. */
export function toAgentView(
  agent: AgentRecord,
  certificates: readonly CertificateRecord[],
  presence: PresenceRecord | undefined,
): AgentView {
  const active = certificates.filter((c) => c.status === 'active').sort((a, b) => b.notAfter - a.notAfter)[0];
  return {
    agentId: agent.agentId,
    status: agent.status === 'active' && !agent.sealingPublicKey ? 'pending' : agent.status,
    ...(agent.hostname !== undefined ? { hostname: agent.hostname } : {}),
    online: presence?.connected ?? false,
    ...(presence ? { lastSeen: presence.lastSeen } : {}),
    ...(active ? { certificateExpiresAt: active.notAfter } : {}),
    createdAt: agent.createdAt,
    ...(agent.registeredAt !== undefined ? { registeredAt: agent.registeredAt } : {}),
    ...(agent.revokedAt !== undefined ? { revokedAt: agent.revokedAt } : {}),
  };
}
