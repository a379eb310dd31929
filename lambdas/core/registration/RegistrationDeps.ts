import type { CertificateSigner } from '../identity/CertificateSigner.ts';
import type { RegistrationTokenStore } from '../identity/RegistrationTokenStore.ts';
import type { AgentRepository, CertificateRepository, Clock, Logger } from '../ports.ts';
import type { TunnelEndpoint } from './registrationMessages.ts';

/** What registration and certificate renewal need from a runtime. */
export interface RegistrationDeps {
  readonly tokens: RegistrationTokenStore;
  readonly agents: AgentRepository;
  readonly certificates: CertificateRepository;
  /** The issuing CA's signer (KMS asymmetric key in AWS, an encrypted key file locally). */
  readonly signer: CertificateSigner;
  readonly caCertificatePem: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly tunnel: TunnelEndpoint;
  readonly webhookBaseUrl: string;
  /** Certificate lifetime; 24 h unless a test asks for less. */
  readonly certificateLifetimeMs?: number;
  /**
   * Called once a certificate is issued and recorded, before it is handed to the agent. AWS registers it
   * in IoT Core here (certificate, thing, policy); the local broker trusts the CA directly and passes
   * none. When it fails, the certificate is recorded as revoked and the agent gets an error, never a
   * certificate the tunnel would refuse.
   */
  readonly onCertificateIssued?: (certificate: IssuedAgentCertificate) => Promise<void>;
}

/** What a runtime learns about a freshly issued agent certificate (all public). */
export interface IssuedAgentCertificate {
  readonly agentId: string;
  readonly certificatePem: string;
  /** Lower-case hex, as in CertificateRecord. */
  readonly serialNumber: string;
  readonly notAfter: number;
}
