/**
 * The budget monitor's cycle: poll every key, then evaluate every budget and send the alerts that are due.
 * The local edge runs it on a timer; in AWS the scheduled poller fans keys out to workers, each running
 * `pollKeys` on its batch and then `evaluateStoredBudgets` for the budgets those keys feed.
 */
import type { Budget } from '../budget/Budget.ts';
import type { StoredProviderKey } from '../keys/ProviderKeyRepository.ts';
import type { BudgetMonitorDeps } from './BudgetMonitorDeps.ts';
import { type EvaluationSummary, evaluateStoredBudgets } from './evaluateStoredBudgets.ts';
import { historyStartFor } from './historyWindow.ts';
import type { KeyPollResult } from './pollProviderKey.ts';
import { pollProviderKey } from './pollProviderKey.ts';

const DEFAULT_CONCURRENCY = 8;
const WEEK_MS = 7 * 86_400_000;

export interface PollSummary extends EvaluationSummary {
  readonly keys: readonly KeyPollResult[];
}

/** True when `budget` counts spend of `key`. */
export function budgetCovers(budget: Budget, key: Pick<StoredProviderKey, 'provider' | 'keyId'>): boolean {
  if (budget.scope.provider !== key.provider) return false;
  const keyIds = budget.scope.keyIds;
  return !keyIds || keyIds.length === 0 || keyIds.includes(key.keyId);
}

/**
 * Polls `keys` (a few at a time) for the history `budgets` need.
 *
 * @example
 * await pollKeys(deps, keys, budgets.map((b) => b.budget), Date.now());
 */
export async function pollKeys(
  deps: BudgetMonitorDeps,
  keys: readonly StoredProviderKey[],
  budgets: readonly Budget[],
  nowMs: number,
): Promise<KeyPollResult[]> {
  const results: KeyPollResult[] = new Array(keys.length);
  // Once per budget, not per (key, budget): period boundaries cost a few Intl calls each.
  const starts = budgets.map((budget) => ({ budget, fromMs: historyStartFor(budget, nowMs) }));
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const index = next++;
      const key = keys[index] as StoredProviderKey;
      let neededFromMs = nowMs - WEEK_MS;
      for (const { budget, fromMs } of starts) {
        if (budgetCovers(budget, key)) neededFromMs = Math.min(neededFromMs, fromMs);
      }
      results[index] = await pollProviderKey(deps, key, neededFromMs, nowMs);
    }
  };
  const workers = Math.max(1, Math.min(deps.concurrency ?? DEFAULT_CONCURRENCY, keys.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

/**
 * One whole cycle as of `nowMs`.
 *
 * @example
 * const summary = await pollBudgets(deps, Date.now());
 * summary.alertsSent;
 */
export async function pollBudgets(deps: BudgetMonitorDeps, nowMs: number): Promise<PollSummary> {
  const [keys, budgets] = await Promise.all([deps.keys.list(), deps.budgets.list()]);
  const polled = await pollKeys(
    deps,
    keys,
    budgets.map((stored) => stored.budget),
    nowMs,
  );
  const evaluation = await evaluateStoredBudgets(deps, budgets, keys, nowMs);
  deps.logger.info('budget_poll_done', {
    keys: keys.length,
    keysFailed: polled.filter((result) => !result.ok).length,
    budgets: evaluation.budgets,
    alertsSent: evaluation.alertsSent,
  });
  return { keys: polled, ...evaluation };
}
