/**
 * Evaluates stored budgets against the stored daily aggregates, claims each new alert once in the
 * ledger, sends it, and records what was sent. A claim whose alert reached none of its channels is
 * released, so the next poll tries again rather than the alert being lost.
 */
import { budgetAlertPayload, percentOf } from '../alerts/budgetAlertPayload.ts';
import { deliverBudgetAlert, markSimulated } from '../alerts/deliverBudgetAlert.ts';
import type { Budget } from '../budget/Budget.ts';
import { buildAlertMessage } from '../budget/buildAlertMessage.ts';
import { ALERT_KEY_RETENTION_MS, claimNewAlerts } from '../budget/claimNewAlerts.ts';
import { type BudgetEvaluation, evaluateBudget } from '../budget/evaluateBudget.ts';
import type { SpendSample } from '../budget/spendSamples.ts';
import { ClawPulsarError } from '../errors.ts';
import type { StoredProviderKey } from '../keys/ProviderKeyRepository.ts';
import { utcDateOf } from '../usage/utcDayRange.ts';
import type { BudgetMonitorDeps } from './BudgetMonitorDeps.ts';
import { historyStartFor, utcDayBounds } from './historyWindow.ts';
import type { StoredBudget } from './ports.ts';

export interface EvaluationSummary {
  readonly budgets: number;
  readonly alertsSent: number;
  readonly failed: number;
}

/**
 * The spend samples of `budget` as of `nowMs`: one per stored day of each key in its scope.
 *
 * @example
 * const samples = await budgetSamples(deps, budget, Date.now());
 */
export async function budgetSamples(
  deps: Pick<BudgetMonitorDeps, 'history'>,
  budget: Budget,
  nowMs: number,
): Promise<SpendSample[]> {
  const keyIds = budget.scope.keyIds;
  const rows = await deps.history.list(
    {
      from: utcDateOf(historyStartFor(budget, nowMs)),
      to: utcDateOf(nowMs),
      provider: budget.scope.provider,
      ...(keyIds && keyIds.length > 0 ? { keyIds } : {}),
    },
    nowMs,
  );
  return rows.map((row) => ({
    provider: row.provider,
    keyId: row.keyId,
    ...utcDayBounds(row.date),
    amountMicros: row.amountMicros,
  }));
}

/**
 * Evaluates `budget` now from stored history (no provider call).
 *
 * @example
 * const evaluation = await evaluateStoredBudget(deps, stored.budget, Date.now());
 */
export async function evaluateStoredBudget(
  deps: Pick<BudgetMonitorDeps, 'history'>,
  budget: Budget,
  nowMs: number,
): Promise<BudgetEvaluation> {
  return evaluateBudget({ budget, samples: await budgetSamples(deps, budget, nowMs), nowMs });
}

/**
 * Evaluates every budget in `budgets` and sends the alerts that are due. `keys` tells which keys are
 * simulated (their alerts say so).
 *
 * @example
 * await evaluateStoredBudgets(deps, await deps.budgets.list(), await deps.keys.list(), Date.now());
 */
export async function evaluateStoredBudgets(
  deps: BudgetMonitorDeps,
  budgets: readonly StoredBudget[],
  keys: readonly StoredProviderKey[],
  nowMs: number,
): Promise<EvaluationSummary> {
  let alertsSent = 0;
  let failed = 0;
  for (const stored of budgets) {
    try {
      alertsSent += await evaluateOne(deps, stored, keys, nowMs);
    } catch (error) {
      failed++;
      deps.logger.error('budget_evaluation_failed', {
        budgetId: stored.budget.id,
        error:
          error instanceof ClawPulsarError ? error.code : error instanceof Error ? error.name : 'unknown',
      });
    }
  }
  return { budgets: budgets.length, alertsSent, failed };
}

async function evaluateOne(
  deps: BudgetMonitorDeps,
  stored: StoredBudget,
  keys: readonly StoredProviderKey[],
  nowMs: number,
): Promise<number> {
  const { budget } = stored;
  const evaluation = await evaluateStoredBudget(deps, budget, nowMs);
  const fresh = await claimNewAlerts(evaluation, deps.alerts);
  if (fresh.length === 0) return 0;
  const scoped = keys.filter(
    (key) =>
      key.provider === budget.scope.provider &&
      (!budget.scope.keyIds?.length || budget.scope.keyIds.includes(key.keyId)),
  );
  const simulated = scoped.length > 0 && scoped.every((key) => key.simulated === true);
  let sent = 0;
  for (const alert of fresh) {
    const built = buildAlertMessage(alert);
    const message = simulated ? markSimulated(built) : built;
    const payload = budgetAlertPayload(alert, message, simulated);
    const channels = await deliverBudgetAlert(deps, stored, payload, message);
    // Asked to tell someone and told nobody (every channel failed, or "*" found no agent yet): give the
    // claim back so the next poll tries again. A budget with no channel at all keeps its alerts in its
    // status only.
    if (wantsChannels(deps, stored) && !channels.some((channel) => channel.ok)) {
      await deps.alerts.release(alert.key);
      deps.logger.warn('budget_alert_pending', { budgetId: budget.id, alertId: payload.alertId });
      continue;
    }
    sent++;
    await deps.alerts.record({
      key: alert.key,
      alertId: payload.alertId,
      budgetId: budget.id,
      kind: alert.kind,
      ...(alert.threshold ? { thresholdId: alert.threshold.thresholdId } : {}),
      periodKey: evaluation.period.key,
      sentAt: nowMs,
      spentMicros: evaluation.forecast.actualMicros,
      limitMicros: budget.limitMicros,
      percent: percentOf(evaluation.forecast.actualMicros, budget.limitMicros),
      forecastP50Micros: evaluation.forecast.p50Micros,
      forecastP90Micros: evaluation.forecast.p90Micros,
      subject: message.subject,
      channels,
      expiresAt: evaluation.period.endMs + ALERT_KEY_RETENTION_MS,
    });
  }
  return sent;
}

function wantsChannels(deps: BudgetMonitorDeps, stored: StoredBudget): boolean {
  const { budget } = stored;
  return (
    (budget.notifyAgents?.length ?? 0) > 0 ||
    stored.webhooks.length > 0 ||
    (deps.topic !== undefined && budget.notifySns !== false)
  );
}
