import uPlot from 'uplot';
import type { BudgetStatus } from '../../lambdas/core/monitor/budgetStatus.ts';
import type { HistoryDay } from '../../lambdas/core/monitor/exportHistory.ts';
import { h, usd } from './dom.ts';

const DAY_MS = 86_400_000;
const COLORS = { actual: '#2563eb', forecast: '#9333ea', limit: '#dc2626', threshold: '#d97706' };

/**
 * Spend over the budget's current period: cumulative actual spend, the forecast band from now to the
 * period's end (P50 to P90), the limit and every threshold as horizontal lines. The history days are
 * the provider's UTC days; the point "now" is the budget's own figure.
 *
 * @example
 * container.append(spendChart(status, days));
 */
export function spendChart(status: BudgetStatus, days: readonly HistoryDay[], now = Date.now()): HTMLElement {
  const { startMs, endMs } = status.period;
  const scope = status.budget.scope;
  const inScope = days.filter(
    (d) => d.provider === scope.provider && (!scope.keyIds?.length || scope.keyIds.includes(d.keyId)),
  );
  const perDay = new Map<number, number>();
  for (const day of inScope) {
    const end = Date.parse(`${day.date}T00:00:00Z`) + DAY_MS;
    if (end <= startMs || end > now) continue;
    perDay.set(end, (perDay.get(end) ?? 0) + day.amountMicros);
  }
  const xs = [...new Set([startMs, ...perDay.keys(), now, endMs])]
    .filter((x) => x >= startMs && x <= endMs)
    .sort((a, b) => a - b);
  let running = 0;
  const actual = xs.map((x) => {
    if (x > now) return null;
    if (x === now) return status.spentMicros / 1e6;
    running += perDay.get(x) ?? 0;
    return Math.min(running, status.spentMicros) / 1e6;
  });
  const at = (x: number, nowValue: number, endValue: number) =>
    x === now ? nowValue / 1e6 : x === endMs ? endValue / 1e6 : null;
  const p50 = xs.map((x) => at(x, status.spentMicros, status.forecast.p50Micros));
  const p90 = xs.map((x) => at(x, status.spentMicros, status.forecast.p90Micros));
  const limit = xs.map(() => status.limitMicros / 1e6);
  const thresholds = status.thresholds.filter((t) => t.amountMicros !== status.limitMicros);

  const series: uPlot.Series[] = [
    {},
    {
      label: 'Spent',
      stroke: COLORS.actual,
      width: 2,
      spanGaps: true,
      value: (_u, v) => (v == null ? '—' : usd(v * 1e6)),
    },
    {
      label: 'Forecast P50',
      stroke: COLORS.forecast,
      width: 1.5,
      dash: [6, 4],
      spanGaps: true,
      value: (_u, v) => (v == null ? '—' : usd(v * 1e6)),
    },
    {
      label: 'Forecast P90',
      stroke: COLORS.forecast,
      width: 1,
      dash: [2, 4],
      spanGaps: true,
      value: (_u, v) => (v == null ? '—' : usd(v * 1e6)),
    },
    {
      label: 'Limit',
      stroke: COLORS.limit,
      width: 2,
      points: { show: false },
      value: (_u, v) => (v == null ? '—' : usd(v * 1e6)),
    },
    ...thresholds.map((t) => ({
      label: `Threshold ${t.id} (${t.basis}${t.band ? ` ${t.band}` : ''})`,
      stroke: COLORS.threshold,
      width: 1,
      dash: [8, 6],
      points: { show: false },
      value: (_u: uPlot, v: number | null) => (v == null ? '—' : usd(v * 1e6)),
    })),
  ];
  const data: uPlot.AlignedData = [
    xs.map((x) => x / 1000),
    actual,
    p50,
    p90,
    limit,
    ...thresholds.map((t) => xs.map(() => t.amountMicros / 1e6)),
  ];
  const top =
    Math.max(status.limitMicros, status.forecast.p90Micros, ...status.thresholds.map((t) => t.amountMicros)) /
    1e6;

  const plot = h('div', { class: 'chart-plot' });
  const figure = h(
    'figure',
    { class: 'chart' },
    plot,
    h(
      'figcaption',
      {},
      `Spent ${usd(status.spentMicros)} of ${usd(status.limitMicros)} (${status.percent}%) this ${status.period.kind}; forecast for the period's end ${usd(status.forecast.p50Micros)} (P50) to ${usd(status.forecast.p90Micros)} (P90).`,
    ),
  );
  const chart = new uPlot(
    {
      width: 600,
      height: 260,
      series,
      bands: [{ series: [3, 2], fill: 'rgba(147, 51, 234, 0.12)' }],
      scales: { x: { time: true, range: [startMs / 1000, endMs / 1000] }, y: { range: [0, top * 1.1 || 1] } },
      axes: [{}, { values: (_u, splits) => splits.map((v) => usd(v * 1e6)), size: 70 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    },
    data,
    plot,
  );
  // Follow the container's width, so the chart fits a phone as well as a desktop.
  const resize = new ResizeObserver(() => {
    const width = Math.max(260, Math.floor(plot.clientWidth));
    if (width !== chart.width) chart.setSize({ width, height: width < 500 ? 200 : 260 });
  });
  resize.observe(plot);
  return figure;
}
