/**
 * Management routes of the budget monitor: the key vault (`/v1/keys`), budgets (`/v1/budgets`) and the
 * spend history (`/v1/history`). Keys are only ever returned masked; webhook URLs and secrets of budgets
 * never after creation.
 */
import { BadRequestError, NotFoundError } from '../errors.ts';
import { addProviderKey } from '../keys/addProviderKey.ts';
import { addKeySchema, rotateKeySchema } from '../keys/keySchemas.ts';
import { toProviderKeyView } from '../keys/ProviderKeyView.ts';
import { removeProviderKey } from '../keys/removeProviderKey.ts';
import { rotateProviderKey } from '../keys/rotateProviderKey.ts';
import type { BudgetMonitorDeps } from '../monitor/BudgetMonitorDeps.ts';
import { toBudgetView } from '../monitor/BudgetView.ts';
import { budgetStatus } from '../monitor/budgetStatus.ts';
import {
  exportHistory,
  historyCsv,
  historyDeleteSchema,
  historyQuerySchema,
} from '../monitor/exportHistory.ts';
import { createBudget, deleteBudget, replaceBudget } from '../monitor/putBudget.ts';
import type { ManagementDeps } from './ManagementDeps.ts';
import { id, ok, parse, queryObject, type Route } from './routeHelpers.ts';

const BUDGET_ID = /^[A-Za-z0-9_.-]{1,64}$/;

function monitor(deps: ManagementDeps): BudgetMonitorDeps {
  if (!deps.monitor) {
    throw new NotFoundError('budget_monitor_off', 'The budget monitor is not set up in this deployment');
  }
  return deps.monitor;
}

function budgetId(value: string | undefined): string {
  if (value === undefined || !BUDGET_ID.test(value)) {
    throw new BadRequestError(
      'invalid_id',
      `"${value}" is not a valid budget id: use 1-64 letters, digits, "_", "." or "-"`,
    );
  }
  return value;
}

export const budgetRoutes: Route[] = [
  [
    'POST',
    /^\/v1\/keys$/,
    async (d, _p, r) => ok(await addProviderKey(monitor(d), parse(addKeySchema, r.body)), 201),
  ],
  ['GET', /^\/v1\/keys$/, async (d) => ok({ keys: (await monitor(d).keys.list()).map(toProviderKeyView) })],
  [
    'GET',
    /^\/v1\/keys\/([^/]+)$/,
    async (d, [k]) => {
      const key = await monitor(d).keys.get(id(k));
      if (!key) throw new NotFoundError('unknown_key', `No provider key "${k}"`);
      return ok(toProviderKeyView(key));
    },
  ],
  [
    'PUT',
    /^\/v1\/keys\/([^/]+)$/,
    async (d, [k], r) => ok(await rotateProviderKey(monitor(d), id(k), parse(rotateKeySchema, r.body))),
  ],
  [
    'DELETE',
    /^\/v1\/keys\/([^/]+)$/,
    async (d, [k]) => {
      const keyId = id(k);
      await removeProviderKey(monitor(d), keyId);
      return ok({ deleted: true, keyId });
    },
  ],
  ['POST', /^\/v1\/budgets$/, async (d, _p, r) => ok(await createBudget(monitor(d), r.body), 201)],
  [
    'GET',
    /^\/v1\/budgets$/,
    async (d) => ok({ budgets: (await monitor(d).budgets.list()).map(toBudgetView) }),
  ],
  [
    'GET',
    /^\/v1\/budgets\/([^/]+)$/,
    async (d, [b]) => {
      const stored = await monitor(d).budgets.get(budgetId(b));
      if (!stored) throw new NotFoundError('unknown_budget', `No budget "${b}"`);
      return ok(toBudgetView(stored));
    },
  ],
  [
    'PUT',
    /^\/v1\/budgets\/([^/]+)$/,
    async (d, [b], r) => ok(await replaceBudget(monitor(d), budgetId(b), r.body)),
  ],
  [
    'DELETE',
    /^\/v1\/budgets\/([^/]+)$/,
    async (d, [b]) => {
      await deleteBudget(monitor(d), budgetId(b));
      return ok({ deleted: true, budgetId: b });
    },
  ],
  [
    'GET',
    /^\/v1\/budgets\/([^/]+)\/status$/,
    async (d, [b]) => ok(await budgetStatus(monitor(d), budgetId(b))),
  ],
  [
    'GET',
    /^\/v1\/history$/,
    async (d, _p, r) => {
      const query = parse(historyQuerySchema, queryObject(r.query));
      const exported = await exportHistory(monitor(d), query);
      if (query.format === 'json') return ok(exported);
      return { status: 200, body: historyCsv(exported), contentType: 'text/csv; charset=utf-8' };
    },
  ],
  [
    'DELETE',
    /^\/v1\/history$/,
    async (d, _p, r) => {
      const filter = parse(historyDeleteSchema, queryObject(r.query));
      const deleted = await monitor(d).history.delete(filter);
      monitor(d).logger.info('history_deleted', { rows: deleted, ...filter });
      return ok({ deleted });
    },
  ],
];
