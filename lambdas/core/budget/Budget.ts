/**
 * A budget: a spending limit per calendar period for one key, several keys or a whole provider, with the
 * thresholds that raise alerts and an optional burn-rate alarm. `parseBudget` validates one at the
 * boundary; `budgetHash` fingerprints its definition so an edit re-arms its alerts.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { BadRequestError } from '../errors.ts';
import { ID_PATTERN } from '../ids.ts';
import { USAGE_PROVIDER_IDS } from '../usage/SpendReport.ts';
import type { Micros } from './money.ts';
import type { PeriodKind } from './periodContaining.ts';
import { assertTimeZone } from './zonedTime.ts';

export type ThresholdBasis = 'actual' | 'forecast';
export type ForecastBand = 'p50' | 'p90';

interface ThresholdCommon {
  /** Unique within the budget; part of the alert key. */
  readonly id: string;
  /** Compare actual spend so far, or the forecast of spend at the period's end. */
  readonly basis: ThresholdBasis;
  /** Which forecast to compare for `basis: 'forecast'` (default p50). */
  readonly band?: ForecastBand;
}

/** A threshold as a percentage of the limit (up to two decimals, e.g. 80 or 33.33)… */
export interface PercentThreshold extends ThresholdCommon {
  readonly percent: number;
}

/** …or as an absolute amount. */
export interface AmountThreshold extends ThresholdCommon {
  readonly amountMicros: Micros;
}

export type Threshold = PercentThreshold | AmountThreshold;

/** Raise an alarm when spend per hour runs far above its own recent normal (a runaway agent). */
export interface BurnRateRule {
  /** Alarm when the recent hourly rate exceeds this multiple of the trailing rate, e.g. 5. */
  readonly multiplier: number;
  /** Length of the recent window (default 60 minutes). */
  readonly windowMinutes?: number;
  /** Length of the trailing window before it (default 168 hours, a week). */
  readonly trailingHours?: number;
  /** Ignore rates below this many micro-dollars per hour, so cents never page anyone (default $1/h). */
  readonly minMicrosPerHour?: Micros;
}

export interface BudgetScope {
  readonly provider: (typeof USAGE_PROVIDER_IDS)[number];
  /** The keys the budget covers; absent or empty means every key of the provider. */
  readonly keyIds?: readonly string[];
}

export interface Budget {
  readonly id: string;
  readonly name: string;
  readonly scope: BudgetScope;
  readonly period: PeriodKind;
  /** IANA time zone the periods follow. */
  readonly timeZone: string;
  /** First day of a week for weekly budgets: 0 = Sunday … 6 = Saturday (default 1, Monday). */
  readonly weekStartsOn?: number;
  readonly limitMicros: Micros;
  readonly thresholds: readonly Threshold[];
  readonly burnRate?: BurnRateRule;
  /**
   * Agents that receive this budget's alerts over their tunnel (`clawpulsar/{agentId}/alerts`), by id;
   * `"*"` means every active agent of the deployment. Not part of `budgetHash`: changing who is told
   * does not re-arm alerts already sent.
   */
  readonly notifyAgents?: readonly string[];
  /** Also publish alerts to the deployment's SNS topic (email/SMS subscribers) where there is one (default true). */
  readonly notifySns?: boolean;
}

/** In `notifyAgents`: every active agent. */
export const ALL_AGENTS = '*';

const id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'use 1–64 letters, digits, "_", "." or "-"');
const micros = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const common = {
  id,
  basis: z.enum(['actual', 'forecast']),
  band: z.enum(['p50', 'p90']).optional(),
};

const thresholdSchema = z.union([
  z.strictObject({ ...common, percent: z.number().positive().max(1000).multipleOf(0.01) }),
  z.strictObject({ ...common, amountMicros: micros }),
]);

/** The boundary schema of a budget: unknown fields are rejected. */
export const budgetSchema = z
  .strictObject({
    id,
    name: z.string().min(1).max(200),
    scope: z.strictObject({
      provider: z.enum(USAGE_PROVIDER_IDS),
      keyIds: z.array(z.string().min(1).max(200)).max(100).optional(),
    }),
    period: z.enum(['day', 'week', 'month']),
    timeZone: z.string().min(1).max(64),
    weekStartsOn: z.number().int().min(0).max(6).optional(),
    limitMicros: micros,
    thresholds: z.array(thresholdSchema).max(20),
    burnRate: z
      .strictObject({
        multiplier: z.number().gt(1).max(1000),
        windowMinutes: z.number().int().min(5).max(1440).optional(),
        trailingHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 31)
          .optional(),
        minMicrosPerHour: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
      })
      .optional(),
    notifyAgents: z
      .array(
        z
          .string()
          .refine(
            (value) => value === ALL_AGENTS || ID_PATTERN.test(value),
            'must be an agent id (3-63 lower-case letters, digits or dashes) or "*"',
          ),
      )
      .max(50)
      .optional(),
    notifySns: z.boolean().optional(),
  })
  .superRefine((budget, ctx) => {
    const seen = new Set<string>();
    budget.thresholds.forEach((threshold, index) => {
      if (seen.has(threshold.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['thresholds', index, 'id'],
          message: 'duplicate threshold id',
        });
      }
      seen.add(threshold.id);
      if (threshold.band !== undefined && threshold.basis !== 'forecast') {
        ctx.addIssue({
          code: 'custom',
          path: ['thresholds', index, 'band'],
          message: 'band applies to forecasts only',
        });
      }
    });
  });

/**
 * Validates untrusted input as a budget, with a clear error naming the first bad field.
 *
 * @example
 * parseBudget({ id: 'b1', name: 'OpenAI', scope: { provider: 'openai' }, period: 'month',
 *   timeZone: 'Europe/Berlin', limitMicros: 100_000_000, thresholds: [{ id: 'p80', basis: 'actual', percent: 80 }] });
 */
export function parseBudget(input: unknown): Budget {
  const parsed = budgetSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || '(budget)';
    throw new BadRequestError('invalid_budget', `Invalid budget: ${field}: ${issue?.message ?? 'invalid'}`, {
      field,
    });
  }
  assertTimeZone(parsed.data.timeZone);
  return parsed.data;
}

/**
 * A short fingerprint of what the budget means (scope, period, zone, limit, thresholds, burn rule; not
 * its name). Part of every alert key, so editing a budget re-arms its alerts and renaming does not.
 *
 * @example
 * budgetHash(budget); // "3f1c9a0d2b7e4c61"
 */
export function budgetHash(budget: Budget): string {
  const canonical = {
    scope: { provider: budget.scope.provider, keyIds: [...(budget.scope.keyIds ?? [])].sort() },
    period: budget.period,
    timeZone: budget.timeZone,
    weekStartsOn: budget.period === 'week' ? (budget.weekStartsOn ?? 1) : null,
    limitMicros: budget.limitMicros,
    thresholds: budget.thresholds.map((threshold) => ({
      id: threshold.id,
      basis: threshold.basis,
      band: threshold.basis === 'forecast' ? (threshold.band ?? 'p50') : null,
      percent: 'percent' in threshold ? threshold.percent : null,
      amountMicros: 'amountMicros' in threshold ? threshold.amountMicros : null,
    })),
    burnRate: budget.burnRate
      ? {
          multiplier: budget.burnRate.multiplier,
          windowMinutes: budget.burnRate.windowMinutes ?? null,
          trailingHours: budget.burnRate.trailingHours ?? null,
          minMicrosPerHour: budget.burnRate.minMicrosPerHour ?? null,
        }
      : null,
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex').slice(0, 16);
}
