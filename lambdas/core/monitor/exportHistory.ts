/**
 * The history export: daily aggregates per provider and key, as JSON or CSV, and the query both accept.
 */
import * as z from 'zod';
import { parseLocalDate } from '../budget/localDate.ts';
import { formatMicros } from '../budget/money.ts';
import { BadRequestError } from '../errors.ts';
import { idSchema } from '../ids.ts';
import { USAGE_PROVIDER_IDS } from '../usage/SpendReport.ts';
import { utcDateOf } from '../usage/utcDayRange.ts';
import type { BudgetMonitorDeps } from './BudgetMonitorDeps.ts';
import { oldestKeptMs } from './historyWindow.ts';

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine((text) => {
    try {
      parseLocalDate(text);
      return true;
    } catch {
      return false;
    }
  }, 'not a real date');

/** Query of `GET /v1/history`. */
export const historyQuerySchema = z
  .object({
    format: z.enum(['json', 'csv']).default('json'),
    from: date.optional(),
    to: date.optional(),
    provider: z.enum(USAGE_PROVIDER_IDS).optional(),
    keyId: idSchema.optional(),
  })
  .strict();
export type HistoryExportQuery = z.infer<typeof historyQuerySchema>;

/** Query of `DELETE /v1/history`: everything, or one key's or one provider's rows. */
export const historyDeleteSchema = z
  .object({ provider: z.enum(USAGE_PROVIDER_IDS).optional(), keyId: idSchema.optional() })
  .strict();

export interface HistoryDay {
  readonly date: string;
  readonly provider: string;
  readonly keyId: string;
  readonly amountMicros: number;
  /** The amount in dollars as an exact decimal string, e.g. "12.3456". */
  readonly amountUsd: string;
}

export interface HistoryExport {
  readonly from: string;
  readonly to: string;
  readonly days: readonly HistoryDay[];
}

/**
 * The aggregates in [from, to] (both inclusive; default: the 90 days kept).
 *
 * @example
 * const { days } = await exportHistory(deps, { format: 'json', provider: 'openai' });
 */
export async function exportHistory(
  deps: Pick<BudgetMonitorDeps, 'history' | 'clock'>,
  query: HistoryExportQuery,
): Promise<HistoryExport> {
  const nowMs = deps.clock.now();
  const from = query.from ?? utcDateOf(oldestKeptMs(nowMs));
  const to = query.to ?? utcDateOf(nowMs);
  if (from > to) throw new BadRequestError('invalid_range', `"from" (${from}) is after "to" (${to})`);
  const rows = await deps.history.list(
    {
      from,
      to,
      ...(query.provider ? { provider: query.provider } : {}),
      ...(query.keyId ? { keyIds: [query.keyId] } : {}),
    },
    nowMs,
  );
  return {
    from,
    to,
    days: rows.map((row) => ({
      date: row.date,
      provider: row.provider,
      keyId: row.keyId,
      amountMicros: row.amountMicros,
      amountUsd: formatMicros(row.amountMicros),
    })),
  };
}

/**
 * The export as CSV (RFC 4180, CRLF line ends). Every field is an id, a date or a number, so nothing
 * needs quoting and no cell can start a spreadsheet formula.
 *
 * @example
 * historyCsv(exported); // "date,provider,key_id,amount_usd,amount_micros\r\n2025-03-01,openai,key-…,12.3456,12345600\r\n"
 */
export function historyCsv(exported: HistoryExport): string {
  const lines = ['date,provider,key_id,amount_usd,amount_micros'];
  for (const day of exported.days) {
    lines.push(`${day.date},${day.provider},${day.keyId},${day.amountUsd},${day.amountMicros}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}
