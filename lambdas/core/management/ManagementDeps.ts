import type { RegistrationTokenStore } from '../identity/RegistrationTokenStore.ts';
import type { BudgetMonitorDeps } from '../monitor/BudgetMonitorDeps.ts';
import type {
  AgentRepository,
  CertificateRepository,
  Clock,
  DeliveryLogReader,
  KeyCustody,
  Logger,
  PresenceReader,
  SourceRepository,
} from '../ports.ts';

/** What the management operations need; both runtimes provide these through their adapters. */
export interface ManagementDeps {
  readonly agents: AgentRepository;
  readonly certificates: CertificateRepository;
  readonly sources: SourceRepository;
  readonly deliveries: DeliveryLogReader;
  readonly presence: PresenceReader;
  readonly custody: KeyCustody;
  readonly tokens: RegistrationTokenStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Public base of webhook URLs, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/v1/hooks`. */
  readonly webhookBaseUrl: string;
  /** Called after a source (or, without sourceId, every source of an agent) changes, so cached secrets are dropped at once. */
  readonly onSourceChanged?: (agentId: string, sourceId?: string) => void;
  /** Called after an agent is revoked: disconnect its tunnel now. */
  readonly onAgentRevoked?: (agentId: string) => Promise<void>;
  /** The budget monitor (keys, budgets, history); its routes answer 404 where it is not set up. */
  readonly monitor?: BudgetMonitorDeps;
}
