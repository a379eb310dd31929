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
}
