import type { Budget } from '../budget/Budget.ts';
import type { AlertWebhookFormat, StoredBudget } from './ports.ts';

export interface AlertWebhookView {
  readonly id: string;
  readonly format: AlertWebhookFormat;
  /** Only the host: the URL may itself be a credential. */
  readonly host: string;
  readonly secretFingerprint?: string;
}

/** A budget as the management API shows it; webhook URLs and secrets are never returned. */
export interface BudgetView extends Budget {
  readonly notifyWebhooks: readonly AlertWebhookView[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The view of a stored budget. */
export function toBudgetView(stored: StoredBudget): BudgetView {
  return {
    ...stored.budget,
    notifyWebhooks: stored.webhooks.map((webhook) => ({
      id: webhook.id,
      format: webhook.format,
      host: webhook.host,
      ...(webhook.secretFingerprint ? { secretFingerprint: webhook.secretFingerprint } : {}),
    })),
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
}
