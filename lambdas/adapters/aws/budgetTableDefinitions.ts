/**
 * The budget monitor's DynamoDB tables, described once like those of `tableDefinitions.ts`: the budgets
 * construct builds them from here and the adapter tests create the same tables in dynalite. None has
 * point-in-time recovery (see `pointInTimeRecovery`): keys and webhook targets are secrets whose deletion
 * must be final, and spend history is deleted on request.
 */
import { type TableDefinition, TTL_ATTRIBUTE } from './tableDefinitions.ts';

export interface BudgetTableDefinition extends TableDefinition {
  /** Whether point-in-time recovery is on; false for every table here, with the reason beside it. */
  readonly pointInTimeRecovery: false;
  readonly recoveryReason: string;
}

const s = (name: string) => ({ name, type: 'S' as const });
const n = (name: string) => ({ name, type: 'N' as const });

/**
 * Environment variables naming them: providerKeys → PROVIDER_KEYS_TABLE, budgets → BUDGETS_TABLE,
 * spendHistory → SPEND_HISTORY_TABLE, budgetAlerts → BUDGET_ALERTS_TABLE.
 */
export const BUDGET_TABLES = {
  providerKeys: {
    purpose: 'Provider usage/billing keys, only as KMS ciphertext (context purpose=provider-key, keyId).',
    partitionKey: s('keyId'),
    globalSecondaryIndexes: [],
    pointInTimeRecovery: false,
    recoveryReason:
      'Deleted means gone: a removed or rotated provider key must leave no backup or shadow copy to restore.',
  },
  budgets: {
    purpose: 'Budget definitions; alert webhook targets only as KMS ciphertext.',
    partitionKey: s('budgetId'),
    globalSecondaryIndexes: [],
    pointInTimeRecovery: false,
    recoveryReason:
      'Holds alert webhook URLs and signing secrets (as KMS ciphertext): a deleted budget leaves no copy behind.',
  },
  spendHistory: {
    purpose: 'Daily spend per provider key and UTC date (aggregates only), expiring after 90 days.',
    partitionKey: s('keyId'),
    sortKey: s('date'),
    timeToLiveAttribute: TTL_ATTRIBUTE,
    globalSecondaryIndexes: [
      { indexName: 'byProvider', partitionKey: s('provider'), sortKey: s('dateKey'), projection: 'ALL' },
    ],
    pointInTimeRecovery: false,
    recoveryReason:
      'Spend history is deleted on request and expires after 90 days; a restore would bring deleted history back.',
  },
  budgetAlerts: {
    purpose: 'The alert ledger: one item per (budget, period, threshold) alert, claimed before it is sent.',
    partitionKey: s('alertKey'),
    timeToLiveAttribute: TTL_ATTRIBUTE,
    globalSecondaryIndexes: [
      { indexName: 'byBudget', partitionKey: s('budgetId'), sortKey: n('sentAt'), projection: 'ALL' },
    ],
    pointInTimeRecovery: false,
    recoveryReason: 'Alert claims expire with their period and are rebuilt by polling; nothing to restore.',
  },
} as const satisfies Record<string, BudgetTableDefinition>;

export type BudgetTableName = keyof typeof BUDGET_TABLES;
