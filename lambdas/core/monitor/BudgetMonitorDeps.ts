import type { ProviderKeyRepository } from '../keys/ProviderKeyRepository.ts';
import type { AgentRepository, Clock, KeyCustody, Logger, TunnelPublisher } from '../ports.ts';
import type { ProviderRequestOptions } from '../usage/fetchProviderJson.ts';
import type { HttpClient } from '../usage/HttpClient.ts';
import type {
  AlertTopic,
  AlertWebhookSender,
  BudgetAlertStore,
  BudgetRepository,
  SpendHistory,
} from './ports.ts';

/**
 * What the budget monitor needs — the key vault, budgets, history, alert ledger, and the channels alerts
 * go out on. Both runtimes build one from their adapters; the management API and the poller share it.
 */
export interface BudgetMonitorDeps {
  readonly keys: ProviderKeyRepository;
  readonly budgets: BudgetRepository;
  readonly history: SpendHistory;
  readonly alerts: BudgetAlertStore;
  readonly custody: KeyCustody;
  /** The HTTP client provider usage calls go through (always behind each client's allowlist). */
  readonly http: HttpClient;
  readonly agents: AgentRepository;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Agents' alerts topic; absent where there is no tunnel. */
  readonly tunnel?: TunnelPublisher;
  readonly webhooks?: AlertWebhookSender;
  /** Email/SMS fan-out (AWS SNS); absent on the local edge. */
  readonly topic?: AlertTopic;
  /** Timeouts and retries of provider calls while polling. */
  readonly requestOptions?: ProviderRequestOptions;
  /** Keys polled at once (default 8). */
  readonly concurrency?: number;
}
