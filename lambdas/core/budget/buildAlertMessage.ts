/**
 * Turns a budget alert into words a person can act on: how much, of what limit, what share, the forecast,
 * which period, and what to do next. The same text goes to the agent, email/SMS and chat webhooks.
 */
import type { BudgetAlert } from './claimNewAlerts.ts';
import { addDays, formatLocalDate } from './localDate.ts';
import type { Micros } from './money.ts';
import { formatMicros } from './money.ts';
import type { Period } from './periodContaining.ts';
import { zonedDateTime } from './zonedTime.ts';

export interface AlertMessage {
  /** One line, for an email subject or a push title. */
  readonly subject: string;
  /** A few lines of plain text. */
  readonly text: string;
  /** What to do next, one sentence (also the text's last-but-one line). */
  readonly next: string;
  /** The figures, as strings, for structured channels. */
  readonly fields: Readonly<Record<string, string>>;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const PERIOD_NOUN = { day: 'daily', week: 'weekly', month: 'monthly' } as const;

/** Dollars rounded to the cent for people, e.g. "$81.20". */
export function formatUsd(micros: Micros): string {
  const cents = Math.round(micros / 10_000);
  return `$${formatMicros(cents * 10_000)}`;
}

function describePeriod(period: Period): string {
  const { year, month, day } = period.startDate;
  switch (period.kind) {
    case 'month':
      return `${MONTHS[month - 1]} ${year}`;
    case 'week':
      return `the week ${formatLocalDate(period.startDate)} – ${formatLocalDate(addDays(period.startDate, 6))}`;
    case 'day':
      return `${day} ${MONTHS[month - 1]} ${year}`;
  }
}

function localTime(instantMs: number, timeZone: string): string {
  const wall = zonedDateTime(instantMs, timeZone);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${formatLocalDate(wall)} ${pad(wall.hour)}:${pad(wall.minute)}`;
}

/**
 * Builds the message for `alert`.
 *
 * @example
 * const { subject, text } = buildAlertMessage(alert);
 */
export function buildAlertMessage(alert: BudgetAlert): AlertMessage {
  const { budget, period, forecast, nowMs } = alert.evaluation;
  const spent = forecast.actualMicros;
  const limit = budget.limitMicros;
  const percent = ((spent / limit) * 100).toFixed(1);
  const periodText = describePeriod(period);
  const lines = [
    `Spent ${formatUsd(spent)} of ${formatUsd(limit)} (${percent}%) in ${periodText} (${budget.timeZone}), as of ${localTime(nowMs, budget.timeZone)}.`,
    `Forecast for the end of the period: ${formatUsd(forecast.p50Micros)} (P90 ${formatUsd(forecast.p90Micros)}), at a run-rate of ${formatUsd(forecast.dailyRateMicros)}/day.`,
  ];
  let subject: string;
  const threshold = alert.threshold;
  if (alert.kind === 'burn_rate' && alert.evaluation.burnRate) {
    const burn = alert.evaluation.burnRate;
    const windowMinutes = budget.burnRate?.windowMinutes ?? 60;
    const ratio =
      burn.ratio === null
        ? 'with no spend before it'
        : `${burn.ratio.toFixed(1)}× the trailing ${formatUsd(burn.trailingMicrosPerHour)}/h`;
    subject = `Budget "${budget.name}": spending ${formatUsd(burn.recentMicrosPerHour)}/h, far above normal`;
    lines.push(
      `Over the last ${windowMinutes} min spend ran at ${formatUsd(burn.recentMicrosPerHour)}/h, ${ratio}. A runaway agent or loop looks like this.`,
    );
  } else if (threshold) {
    const value =
      threshold.basis === 'actual' ? 'spend' : `${(threshold.band ?? 'p50').toUpperCase()} forecast`;
    subject =
      threshold.basis === 'actual'
        ? `Budget "${budget.name}" at ${percent}% of its ${PERIOD_NOUN[budget.period]} limit`
        : `Budget "${budget.name}" is forecast to reach ${formatUsd(threshold.valueMicros)} of ${formatUsd(limit)} in ${periodText}`;
    lines.push(
      `Threshold "${threshold.thresholdId}" (${formatUsd(threshold.thresholdMicros)}, on ${value}) reached at ${formatUsd(threshold.valueMicros)}.`,
    );
  } else {
    subject = `Budget "${budget.name}" alert`;
  }
  const end = formatLocalDate(addDays(zonedDateTime(nowMs, 'UTC'), 1));
  const start = formatLocalDate(zonedDateTime(period.startMs, 'UTC'));
  const next = `See which key is spending (clawpulsar budget check --provider ${budget.scope.provider} --start ${start} --end ${end}), pause the agent if it is looping, or raise the limit if the spend is expected.`;
  lines.push(
    `What to do next: ${next.charAt(0).toLowerCase()}${next.slice(1)}`,
    'This alert fires once per threshold and period; it re-arms next period or when the budget is edited.',
  );
  return {
    subject,
    text: lines.join('\n'),
    next,
    fields: {
      budget: budget.name,
      provider: budget.scope.provider,
      period: period.key,
      spent: formatMicros(spent),
      limit: formatMicros(limit),
      percent,
      forecastP50: formatMicros(forecast.p50Micros),
      forecastP90: formatMicros(forecast.p90Micros),
      ...(threshold ? { threshold: threshold.thresholdId } : {}),
    },
  };
}
