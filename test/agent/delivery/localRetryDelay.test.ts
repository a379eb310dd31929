import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localRetryDelay, retryAfterMs } from '../../../agent/delivery/localRetryDelay.ts';

const options = { retryBaseMs: 250, retryMaxMs: 30_000 };

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-29T10:00:00Z');

  it('reads delay-seconds and HTTP-dates', () => {
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Sun, 29 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(retryAfterMs('Sun, 29 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-1', now)).toBeUndefined();
    expect(retryAfterMs('1.5', now)).toBeUndefined();
  });
});

describe('localRetryDelay', () => {
  it('doubles from the base with jitter in the upper half, capped', () => {
    expect(localRetryDelay(1, undefined, options, () => 0)).toBe(125);
    expect(localRetryDelay(1, undefined, options, () => 1)).toBe(250);
    expect(localRetryDelay(3, undefined, options, () => 1)).toBe(1_000);
    expect(localRetryDelay(20, undefined, options, () => 1)).toBe(30_000);
  });

  it('waits at least what Retry-After asks', () => {
    expect(localRetryDelay(1, 5_000, options, () => 0)).toBe(5_000);
    expect(localRetryDelay(10, 1_000, options, () => 1)).toBe(30_000);
  });

  it('gives up locally when Retry-After asks for longer than the cap', () => {
    expect(localRetryDelay(1, 30_001, options)).toBeUndefined();
  });

  it('stays within [base/2 · 2^(n-1), cap] for any attempt and randomness (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, r) => {
          const delay = localRetryDelay(attempt, undefined, options, () => r)!;
          const ceiling = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });
});
