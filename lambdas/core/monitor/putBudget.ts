import { sealAlertWebhook } from '../alerts/alertWebhookTarget.ts';
import { ALL_AGENTS, type Budget } from '../budget/Budget.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.ts';
import type { BudgetMonitorDeps } from './BudgetMonitorDeps.ts';
import { type BudgetView, toBudgetView } from './BudgetView.ts';
import { type AlertWebhookInput, newBudgetId, parseBudgetInput } from './budgetInput.ts';
import type { StoredAlertWebhook, StoredBudget } from './ports.ts';

export type BudgetDeps = Pick<
  BudgetMonitorDeps,
  'budgets' | 'keys' | 'agents' | 'custody' | 'clock' | 'logger'
>;

export interface BudgetChange {
  readonly budget: BudgetView;
  /** Signing secrets of new `standard` webhooks, by webhook id: shown this once, never again. */
  readonly webhookSecrets?: Readonly<Record<string, string>>;
}

/**
 * Creates a budget from an untrusted body (its id generated unless the body names one).
 *
 * @example
 * const { budget } = await createBudget(deps, { name: 'OpenAI', scope: { provider: 'openai' }, period: 'month', … });
 */
export async function createBudget(deps: BudgetDeps, body: unknown): Promise<BudgetChange> {
  const requested = (body as { id?: unknown } | null)?.id;
  const input = parseBudgetInput(body, typeof requested === 'string' ? requested : newBudgetId());
  await assertReferences(deps, input.budget);
  const now = deps.clock.now();
  const { webhooks, secrets } = await sealWebhooks(deps, input.budget.id, input.webhooks ?? []);
  const stored: StoredBudget = { budget: input.budget, webhooks, createdAt: now, updatedAt: now };
  if (!(await deps.budgets.create(stored))) {
    throw new ConflictError(
      'budget_exists',
      `A budget "${input.budget.id}" exists already; use PUT to change it`,
    );
  }
  deps.logger.info('budget_created', { budgetId: input.budget.id, provider: input.budget.scope.provider });
  return { budget: toBudgetView(stored), ...(secrets ? { webhookSecrets: secrets } : {}) };
}

/**
 * Replaces a budget's definition. A change of what the budget means (limit, thresholds, period, scope)
 * re-arms its alerts; `notifyWebhooks` absent keeps the existing webhooks.
 *
 * @example
 * await replaceBudget(deps, 'openai-prod', { ...definition, limitMicros: 200_000_000 });
 */
export async function replaceBudget(
  deps: BudgetDeps,
  budgetId: string,
  body: unknown,
): Promise<BudgetChange> {
  const existing = await deps.budgets.get(budgetId);
  if (!existing) throw new NotFoundError('unknown_budget', `No budget "${budgetId}"`);
  const input = parseBudgetInput(body, budgetId);
  await assertReferences(deps, input.budget);
  const sealed = input.webhooks
    ? await sealWebhooks(deps, budgetId, input.webhooks)
    : { webhooks: existing.webhooks, secrets: undefined };
  const stored: StoredBudget = {
    budget: input.budget,
    webhooks: sealed.webhooks,
    createdAt: existing.createdAt,
    updatedAt: deps.clock.now(),
  };
  if (!(await deps.budgets.replace(stored)))
    throw new NotFoundError('unknown_budget', `No budget "${budgetId}"`);
  deps.logger.info('budget_updated', { budgetId });
  return { budget: toBudgetView(stored), ...(sealed.secrets ? { webhookSecrets: sealed.secrets } : {}) };
}

/** Deletes a budget; its alert records expire with their period. */
export async function deleteBudget(
  deps: Pick<BudgetDeps, 'budgets' | 'logger'>,
  budgetId: string,
): Promise<void> {
  if (!(await deps.budgets.delete(budgetId)))
    throw new NotFoundError('unknown_budget', `No budget "${budgetId}"`);
  deps.logger.info('budget_deleted', { budgetId });
}

async function sealWebhooks(
  deps: BudgetDeps,
  budgetId: string,
  inputs: readonly AlertWebhookInput[],
): Promise<{ webhooks: StoredAlertWebhook[]; secrets: Record<string, string> | undefined }> {
  const webhooks: StoredAlertWebhook[] = [];
  const secrets: Record<string, string> = {};
  for (const input of inputs) {
    const sealed = await sealAlertWebhook(deps.custody, budgetId, input);
    webhooks.push(sealed.stored);
    if (sealed.secret) secrets[input.id] = sealed.secret;
  }
  return { webhooks, secrets: Object.keys(secrets).length > 0 ? secrets : undefined };
}

/** Keys in the scope must exist and belong to the budget's provider; agents to notify must exist. */
async function assertReferences(deps: BudgetDeps, budget: Budget): Promise<void> {
  for (const keyId of budget.scope.keyIds ?? []) {
    const key = await deps.keys.get(keyId);
    if (!key)
      throw new BadRequestError('unknown_key', `No provider key "${keyId}" (see clawpulsar keys list)`);
    if (key.provider !== budget.scope.provider) {
      throw new BadRequestError(
        'key_provider_mismatch',
        `Key "${keyId}" is a ${key.provider} key; this budget is for ${budget.scope.provider}`,
      );
    }
  }
  for (const agentId of budget.notifyAgents ?? []) {
    if (agentId === ALL_AGENTS) continue;
    if (!(await deps.agents.get(agentId))) {
      throw new BadRequestError(
        'unknown_agent',
        `No agent "${agentId}" to notify (see clawpulsar agents list)`,
      );
    }
  }
}
