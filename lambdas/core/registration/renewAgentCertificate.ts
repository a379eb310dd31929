import { type CsrMessage, csrMessageSchema, type IssuedMessage, parseMessage } from '../delivery/messages.ts';
import { ClawPulsarError, UnavailableError } from '../errors.ts';
import { issueAgentCertificate } from '../identity/issueAgentCertificate.ts';
import type { RegistrationDeps } from './RegistrationDeps.ts';

/** What renewal needs: registration's dependencies minus the token store and what the agent learns at registration. */
export type RenewalDeps = Pick<
  RegistrationDeps,
  | 'agents'
  | 'certificates'
  | 'signer'
  | 'caCertificatePem'
  | 'clock'
  | 'logger'
  | 'certificateLifetimeMs'
  | 'onCertificateIssued'
>;

/**
 * Certificate renewal over the tunnel: the agent sends a CSR on its own `cert/csr` topic (so
 * `connectionAgentId` is its authenticated identity) and gets a new 24 h certificate back. The old
 * certificate stays valid until the agent connects with the new one (see authorizeAgentConnection).
 *
 * @example
 * const reply = await renewAgentCertificate(deps, 'laptop', payload);
 */
export async function renewAgentCertificate(
  deps: RenewalDeps,
  connectionAgentId: string,
  payload: Uint8Array,
): Promise<IssuedMessage> {
  let message: CsrMessage;
  try {
    message = parseMessage(csrMessageSchema, payload, 'csr');
  } catch (error) {
    return { requestId: 'invalid', error: error instanceof Error ? error.message : 'invalid csr message' };
  }
  const agent = await deps.agents.get(connectionAgentId);
  if (agent?.status !== 'active') return { requestId: message.requestId, error: 'agent is not active' };
  const now = deps.clock.now();
  try {
    const issued = await issueAgentCertificate({
      csr: message.csrPem,
      agentId: connectionAgentId,
      signer: deps.signer,
      caCertificate: deps.caCertificatePem,
      now,
      ...(deps.certificateLifetimeMs !== undefined ? { lifetimeMs: deps.certificateLifetimeMs } : {}),
    });
    const certificate = {
      serialNumber: issued.serialNumber,
      agentId: connectionAgentId,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
      status: 'active' as const,
      issuedAt: now,
    };
    await deps.certificates.put(certificate);
    if (deps.onCertificateIssued) {
      try {
        await deps.onCertificateIssued({
          agentId: connectionAgentId,
          certificatePem: issued.certificatePem,
          serialNumber: issued.serialNumber,
          notAfter: issued.notAfter,
        });
      } catch (error) {
        await deps.certificates.put({ ...certificate, status: 'revoked' });
        throw new UnavailableError(
          'certificate_registration_failed',
          'certificate could not be registered with the tunnel; retry later',
          { cause: error },
        );
      }
    }
    deps.logger.info('certificate_renewed', {
      agentId: connectionAgentId,
      serialNumber: issued.serialNumber,
    });
    return {
      requestId: message.requestId,
      certificatePem: issued.certificatePem,
      caChainPem: deps.caCertificatePem,
      notAfter: issued.notAfter,
    };
  } catch (error) {
    const reason = error instanceof ClawPulsarError ? error.message : 'certificate could not be issued';
    deps.logger.warn('certificate_renewal_failed', { agentId: connectionAgentId, reason });
    return { requestId: message.requestId, error: reason };
  }
}
