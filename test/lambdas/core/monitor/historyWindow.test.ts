import { describe, expect, it } from 'vitest';
import {
  historyExpiry,
  historyStartFor,
  oldestKeptMs,
  pollWindow,
} from '../../../../lambdas/core/monitor/historyWindow.ts';
import { monthlyBudget } from '../budget/fixtures.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 2, 15, 12); // 2025-03-15 12:00Z

describe('pollWindow', () => {
  it('reads the last three days and today once the history reaches back far enough', () => {
    expect(
      pollWindow({
        nowMs: NOW,
        neededFromMs: Date.UTC(2025, 2, 1),
        lastPolledAt: NOW - 300_000,
        coveredFrom: '2025-02-20',
      }),
    ).toEqual({ start: '2025-03-12', end: '2025-03-16' });
  });

  it('backfills to what the budgets need on the first poll', () => {
    expect(pollWindow({ nowMs: NOW, neededFromMs: Date.UTC(2025, 1, 28, 23) })).toEqual({
      start: '2025-02-28',
      end: '2025-03-16',
    });
  });

  it('reaches back to the day before the previous poll after a gap', () => {
    expect(
      pollWindow({
        nowMs: NOW,
        neededFromMs: NOW - 7 * DAY,
        lastPolledAt: NOW - 10 * DAY,
        coveredFrom: '2025-02-01',
      }),
    ).toEqual({ start: '2025-03-04', end: '2025-03-16' });
  });

  it('never reads past the 90 days kept', () => {
    expect(pollWindow({ nowMs: NOW, neededFromMs: NOW - 400 * DAY }).start).toBe('2024-12-16');
  });
});

describe('historyStartFor', () => {
  it('is the period start or a week back, whichever is earlier', () => {
    // Europe/Berlin month starts 2025-03-01 00:00+01:00 = 2025-02-28 23:00Z
    expect(historyStartFor(monthlyBudget(), NOW)).toBe(Date.UTC(2025, 1, 28, 23));
    expect(historyStartFor(monthlyBudget(), Date.UTC(2025, 2, 3, 12))).toBe(Date.UTC(2025, 1, 24, 12));
  });

  it('includes the burn-rate trailing window', () => {
    const budget = monthlyBudget({ burnRate: { multiplier: 5, trailingHours: 24 * 20, windowMinutes: 60 } });
    expect(historyStartFor(budget, NOW)).toBe(NOW - 3_600_000 - 20 * DAY);
  });
});

describe('history expiry', () => {
  it('expires a day 90 days after it began, and keeps 90 dates', () => {
    expect(historyExpiry('2025-03-15')).toBe(Date.UTC(2025, 5, 13));
    expect(oldestKeptMs(NOW)).toBe(Date.UTC(2024, 11, 16));
    expect(historyExpiry('2024-12-16')).toBeGreaterThan(NOW);
  });
});
