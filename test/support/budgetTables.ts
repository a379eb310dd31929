import { randomBytes } from 'node:crypto';
import { BUDGET_TABLES, type BudgetTableName } from '../../lambdas/adapters/aws/budgetTableDefinitions.ts';
import { createTableCommand, type LocalDynamo } from './localDynamo.ts';

/**
 * Creates the budget monitor's tables in a local dynalite, exactly as budgetTableDefinitions.ts defines
 * them, and returns their names as the stack's env variables would carry them.
 *
 * @example
 * const tables = await createBudgetTables(dynamo);
 */
export async function createBudgetTables(dynamo: LocalDynamo): Promise<Record<BudgetTableName, string>> {
  const prefix = `cpb-${randomBytes(3).toString('hex')}`;
  const names = {} as Record<BudgetTableName, string>;
  for (const [name, definition] of Object.entries(BUDGET_TABLES) as [
    BudgetTableName,
    (typeof BUDGET_TABLES)[BudgetTableName],
  ][]) {
    names[name] = `${prefix}-${name}`;
    await dynamo.client.send(createTableCommand(names[name], definition));
  }
  return names;
}
