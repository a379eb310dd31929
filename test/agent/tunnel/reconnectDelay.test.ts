import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RECONNECT_MAX_MS, reconnectDelay } from '../../../agent/tunnel/reconnectDelay.ts';

describe('reconnectDelay', () => {
  it('starts around a second and doubles', () => {
    expect(reconnectDelay(1, {}, () => 1)).toBe(1_000);
    expect(reconnectDelay(1, {}, () => 0)).toBe(500);
    expect(reconnectDelay(4, {}, () => 1)).toBe(8_000);
  });

  it('never waits more than a minute, however many attempts failed', () => {
    expect(reconnectDelay(1_000_000, {}, () => 1)).toBe(RECONNECT_MAX_MS);
  });

  it('spreads reconnects over the upper half of the window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, r) => {
          const delay = reconnectDelay(attempt, { baseMs: 100, maxMs: 5_000 }, () => r);
          const ceiling = Math.min(5_000, 100 * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });
});
