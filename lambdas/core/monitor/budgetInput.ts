/**
 * The body of `POST /v1/budgets` and `PUT /v1/budgets/{id}`: a budget definition (see `parseBudget`) plus
 * its outgoing alert webhooks, whose URLs are accepted here and never shown again.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { Budget } from '../budget/Budget.ts';
import { parseBudget } from '../budget/Budget.ts';
import { BadRequestError } from '../errors.ts';
import { idSchema } from '../ids.ts';
import { zodMessage } from '../registration/zodMessage.ts';

export const alertWebhookInputSchema = z
  .object({
    id: idSchema,
    url: z.string().min(1).max(2048),
    /** `standard`: signed JSON (Standard Webhooks); `slack` / `discord`: a text message for that chat. */
    format: z.enum(['standard', 'slack', 'discord']).default('standard'),
  })
  .strict();
export type AlertWebhookInput = z.infer<typeof alertWebhookInputSchema>;

const webhooksSchema = z
  .array(alertWebhookInputSchema)
  .max(5)
  .refine((list) => new Set(list.map((w) => w.id)).size === list.length, 'webhook ids must be unique');

export interface BudgetInput {
  readonly budget: Budget;
  /** Absent: keep the webhooks the budget has (on replace) or none (on create). */
  readonly webhooks?: readonly AlertWebhookInput[];
}

/** A new budget id: `budget-` and 8 hex digits. */
export function newBudgetId(): string {
  return `budget-${randomBytes(4).toString('hex')}`;
}

/**
 * Validates a budget body. `budgetId` is the id from the path (replace) or a new one (create); an `id`
 * in the body must agree with it.
 *
 * @example
 * parseBudgetInput({ name: 'OpenAI', scope: { provider: 'openai' }, period: 'month', … }, 'budget-1a2b3c4d');
 */
export function parseBudgetInput(body: unknown, budgetId: string): BudgetInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('invalid_budget', 'Send the budget as a JSON object');
  }
  const { notifyWebhooks, id, ...definition } = body as Record<string, unknown>;
  if (id !== undefined && id !== budgetId) {
    throw new BadRequestError('invalid_budget', 'The id in the body does not match the budget id', {
      field: 'id',
    });
  }
  const budget = parseBudget({ ...definition, id: budgetId });
  if (notifyWebhooks === undefined) return { budget };
  const parsed = webhooksSchema.safeParse(notifyWebhooks);
  if (!parsed.success) {
    throw new BadRequestError(
      'invalid_budget',
      `Invalid budget: notifyWebhooks: ${zodMessage(parsed.error)}`,
      {
        field: 'notifyWebhooks',
      },
    );
  }
  return { budget, webhooks: parsed.data };
}
