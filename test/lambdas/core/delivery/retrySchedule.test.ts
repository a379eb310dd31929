import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expiresAt,
  FIRST_RETRY_MS,
  isExpired,
  MAX_RETRY_MS,
  nextAttemptAt,
} from '../../../../lambdas/core/delivery/retrySchedule.ts';

const NOW = Date.UTC(2026, 0, 15, 9);
const HOUR = 3_600_000;
/** random() = 0.5 is the middle of the jitter range: no jitter. */
const noJitter = () => 0.5;

describe('nextAttemptAt', () => {
  it('backs off 30 s, 1, 2, 4, 8 min, then stays at 15 min', () => {
    // Act
    const delays = [1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => nextAttemptAt(attempt, NOW, noJitter) - NOW);

    // Assess
    expect(FIRST_RETRY_MS).toBe(30_000);
    expect(MAX_RETRY_MS).toBe(900_000);
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000]);
  });

  it.each([0, -1, -1000])('treats attempt %i as the first', (attempt) => {
    expect(nextAttemptAt(attempt, NOW, noJitter)).toBe(NOW + FIRST_RETRY_MS);
  });

  it('stays at the cap for attempt numbers so large that 2^n overflows', () => {
    expect(nextAttemptAt(1_000_000, NOW, noJitter)).toBe(NOW + MAX_RETRY_MS);
    expect(nextAttemptAt(Number.MAX_SAFE_INTEGER, NOW, noJitter)).toBe(NOW + MAX_RETRY_MS);
  });

  it('spreads each step by ±20% so a reconnecting fleet does not come back in step', () => {
    // Act
    const earliest = nextAttemptAt(3, NOW, () => 0) - NOW;
    const latest = nextAttemptAt(3, NOW, () => 0.999_999) - NOW;

    // Assess
    expect(earliest).toBe(96_000);
    expect(latest).toBe(144_000);
  });

  it('always lands within ±20% of the step, in whole milliseconds, for any attempt and draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 100 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (attempt, draw, now) => {
          const step = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
          const delay = nextAttemptAt(attempt, now, () => draw) - now;
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.round(step * 0.8));
          expect(delay).toBeLessThanOrEqual(Math.round(step * 1.2));
        },
      ),
    );
  });

  it('draws its jitter from Math.random when given none', () => {
    // Act
    const delays = Array.from({ length: 200 }, () => nextAttemptAt(1, NOW) - NOW);

    // Assess
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(24_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(36_000);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});

describe('expiresAt and isExpired', () => {
  it('end an envelope exactly 72 h after the ingress accepted it', () => {
    // Prepare
    const receivedAt = NOW;

    // Act
    const end = expiresAt(receivedAt);

    // Assess
    expect(end).toBe(receivedAt + 72 * HOUR);
    expect(isExpired(receivedAt, end - 1)).toBe(false);
    expect(isExpired(receivedAt, end)).toBe(true);
    expect(isExpired(receivedAt, end + 1)).toBe(true);
  });

  it('do not count an envelope received in the future (clock skew) as expired', () => {
    expect(isExpired(NOW + HOUR, NOW)).toBe(false);
  });
});
