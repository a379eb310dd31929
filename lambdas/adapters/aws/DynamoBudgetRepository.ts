import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import { budgetSchema } from '../../core/budget/Budget.ts';
import type { BudgetRepository, StoredAlertWebhook, StoredBudget } from '../../core/monitor/ports.ts';
import { av, type Item, isConditionFailed, read } from './dynamoItem.ts';
import { pagedItems } from './pagedItems.ts';

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
 * Budgets in DynamoDB (table `budgets`, key `budgetId`): the definition as JSON, alert webhook targets
 * only as KMS ciphertext.
 *
 * @example
 * const budgets = new DynamoBudgetRepository(dynamo, env.BUDGETS_TABLE);
 */
export class DynamoBudgetRepository implements BudgetRepository {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async get(budgetId: string): Promise<StoredBudget | undefined> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { budgetId: av.s(budgetId) }, ConsistentRead: true }),
    );
    return item ? toBudget(item) : undefined;
  }

  create(stored: StoredBudget): Promise<boolean> {
    return this.#put(stored, 'attribute_not_exists(budgetId)');
  }

  replace(stored: StoredBudget): Promise<boolean> {
    return this.#put(stored, 'attribute_exists(budgetId)');
  }

  async delete(budgetId: string): Promise<boolean> {
    const { Attributes: old } = await this.#client.send(
      new DeleteItemCommand({
        TableName: this.#table,
        Key: { budgetId: av.s(budgetId) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return old !== undefined;
  }

  async list(): Promise<StoredBudget[]> {
    const budgets: StoredBudget[] = [];
    for await (const item of pagedItems(
      this.#client,
      (start) => new ScanCommand({ TableName: this.#table, ExclusiveStartKey: start, ConsistentRead: true }),
    )) {
      budgets.push(toBudget(item));
    }
    return budgets.sort((a, b) => (a.budget.id < b.budget.id ? -1 : a.budget.id > b.budget.id ? 1 : 0));
  }

  async #put(stored: StoredBudget, condition: string): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#table,
          Item: {
            budgetId: av.s(stored.budget.id),
            definition: av.s(JSON.stringify(stored.budget)),
            webhooks: av.s(webhooksJson(stored.webhooks)),
            createdAt: av.n(stored.createdAt),
            updatedAt: av.n(stored.updatedAt),
          },
          ConditionExpression: condition,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailed(error)) return false;
      throw error;
    }
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

function toBudget(item: Item): StoredBudget {
  return {
    budget: budgetSchema.parse(JSON.parse(read.s(item, 'definition'))),
    webhooks: webhooksSchema.parse(JSON.parse(read.s(item, 'webhooks'))).map((webhook) => ({
      ...webhook,
      ciphertext: new Uint8Array(Buffer.from(webhook.ciphertext, 'base64')),
    })),
    createdAt: read.n(item, 'createdAt'),
    updatedAt: read.n(item, 'updatedAt'),
  };
}
