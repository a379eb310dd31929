import { BadRequestError, ClawPulsarError, UnavailableError } from '../errors.ts';
import { issueAgentCertificate } from '../identity/issueAgentCertificate.ts';
import { parseCertificateRequest } from '../identity/parseCertificateRequest.ts';
import { consumeRegistrationToken, hashRegistrationToken } from '../identity/registrationToken.ts';
import type { RegistrationDeps } from './RegistrationDeps.ts';
import {
  type RegistrationResponse,
  registrationRequestSchema,
  registrationResponseSchema,
} from './registrationMessages.ts';
import { zodMessage } from './zodMessage.ts';

/**
 * `POST /v1/register`: trades a one-time registration token, a CSR and a sealing public key for a 24 h
 * certificate and the tunnel's coordinates. The CSR is checked before the token is spent, so a malformed
 * request doesn't burn the token. Registering again (a reinstalled agent) replaces the sealing key and
 * supersedes the agent's older certificates — only once the runtime accepted the new certificate
 * (`onCertificateIssued`); if it did not, the token is given back and nothing else changed.
 *
 * @example
 * const response = await registerAgent(deps, JSON.parse(body));
 */
export async function registerAgent(deps: RegistrationDeps, body: unknown): Promise<RegistrationResponse> {
  const parsed = registrationRequestSchema.safeParse(body);
  if (!parsed.success) throw new BadRequestError('invalid_registration', zodMessage(parsed.error));
  const request = parsed.data;
  parseCertificateRequest(request.csrPem);
  const sealingPublicKey = Buffer.from(request.sealingPublicKey, 'base64url');

  const now = deps.clock.now();
  const grant = await consumeRegistrationToken({ token: request.token, store: deps.tokens, now });
  const issued = await issueAgentCertificate({
    csr: request.csrPem,
    agentId: grant.agentId,
    signer: deps.signer,
    caCertificate: deps.caCertificatePem,
    now,
    ...(deps.certificateLifetimeMs !== undefined ? { lifetimeMs: deps.certificateLifetimeMs } : {}),
  });

  const certificate = {
    serialNumber: issued.serialNumber,
    agentId: grant.agentId,
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
    status: 'active' as const,
    issuedAt: now,
  };
  await deps.certificates.put(certificate);
  if (deps.onCertificateIssued) {
    try {
      await deps.onCertificateIssued({
        agentId: grant.agentId,
        certificatePem: issued.certificatePem,
        serialNumber: issued.serialNumber,
        notAfter: issued.notAfter,
      });
    } catch (error) {
      // Nothing else changed yet: retire the unusable certificate and give the token back, so the agent
      // can simply retry.
      await deps.certificates.put({ ...certificate, status: 'revoked' });
      await deps.tokens.put(hashRegistrationToken(request.token), grant);
      deps.logger.error('certificate_registration_failed', {
        agentId: grant.agentId,
        serialNumber: issued.serialNumber,
        error:
          error instanceof ClawPulsarError ? error.code : error instanceof Error ? error.name : 'unknown',
      });
      throw new UnavailableError(
        'certificate_registration_failed',
        'The certificate could not be registered with the tunnel; retry with the same token',
        { cause: error },
      );
    }
  }

  const existing = await deps.agents.get(grant.agentId);
  await deps.agents.put({
    agentId: grant.agentId,
    status: 'active',
    sealingPublicKey,
    createdAt: existing?.createdAt ?? now,
    registeredAt: now,
    ...(request.hostname !== undefined ? { hostname: request.hostname } : {}),
  });
  for (const cert of await deps.certificates.listByAgent(grant.agentId)) {
    if (cert.status === 'active' && cert.serialNumber !== issued.serialNumber) {
      await deps.certificates.put({ ...cert, status: 'superseded' });
    }
  }
  deps.logger.info('agent_registered', { agentId: grant.agentId, serialNumber: issued.serialNumber });

  return registrationResponseSchema.parse({
    agentId: grant.agentId,
    certificatePem: issued.certificatePem,
    caChainPem: deps.caCertificatePem,
    notAfter: issued.notAfter,
    tunnel: deps.tunnel,
    webhookBaseUrl: deps.webhookBaseUrl,
  });
}
