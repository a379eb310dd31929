import type { DatabaseSync } from 'node:sqlite';
import * as z from 'zod';
import { budgetSchema } from '../../core/budget/Budget.ts';
import type { BudgetRepository, StoredAlertWebhook, StoredBudget } from '../../core/monitor/ports.ts';

interface Row {
  budget_id: string;
  definition: string;
  webhooks: string;
  created_at: number;
  updated_at: number;
}

const webhooksSchema = z.array(
  z.object({
    id: z.string(),
    format: z.enum(['standard', 'slack', 'discord']),
    host: z.string(),
    ciphertext: z.base64(),
    secretFingerprint: z.string().optional(),
  }),
);

/**
 * Budgets on the local edge: the definition as JSON, alert webhooks with their target only as
 * KeyCustody ciphertext (base64).
 *
 * @example
 * const budgets = new SqliteBudgetRepository(db);
 */
export class SqliteBudgetRepository implements BudgetRepository {
  readonly #get;
  readonly #insert;
  readonly #replace;
  readonly #delete;
  readonly #list;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare('SELECT * FROM budgets WHERE budget_id = ?');
    this.#insert = db.prepare(
      `INSERT INTO budgets (budget_id, definition, webhooks, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (budget_id) DO NOTHING`,
    );
    this.#replace = db.prepare(
      'UPDATE budgets SET definition = ?, webhooks = ?, updated_at = ? WHERE budget_id = ?',
    );
    this.#delete = db.prepare('DELETE FROM budgets WHERE budget_id = ?');
    this.#list = db.prepare('SELECT * FROM budgets ORDER BY budget_id');
  }

  async get(budgetId: string): Promise<StoredBudget | undefined> {
    const row = this.#get.get(budgetId) as Row | undefined;
    return row ? toBudget(row) : undefined;
  }

  async create(stored: StoredBudget): Promise<boolean> {
    const { budget } = stored;
    const result = this.#insert.run(
      budget.id,
      JSON.stringify(budget),
      webhooksJson(stored.webhooks),
      stored.createdAt,
      stored.updatedAt,
    );
    return Number(result.changes) > 0;
  }

  async replace(stored: StoredBudget): Promise<boolean> {
    const result = this.#replace.run(
      JSON.stringify(stored.budget),
      webhooksJson(stored.webhooks),
      stored.updatedAt,
      stored.budget.id,
    );
    return Number(result.changes) > 0;
  }

  async delete(budgetId: string): Promise<boolean> {
    return Number(this.#delete.run(budgetId).changes) > 0;
  }

  async list(): Promise<StoredBudget[]> {
    return (this.#list.all() as unknown as Row[]).map(toBudget);
  }
}

function webhooksJson(webhooks: readonly StoredAlertWebhook[]): string {
  return JSON.stringify(
    webhooks.map((webhook) => ({
      ...webhook,
      ciphertext: Buffer.from(webhook.ciphertext).toString('base64'),
    })),
  );
}

function toBudget(row: Row): StoredBudget {
  return {
    budget: budgetSchema.parse(JSON.parse(row.definition)),
    webhooks: webhooksSchema.parse(JSON.parse(row.webhooks)).map((webhook) => ({
      ...webhook,
      ciphertext: new Uint8Array(Buffer.from(webhook.ciphertext, 'base64')),
    })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
