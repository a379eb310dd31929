import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { timeOrderedId } from '../../../lambdas/core/timeOrderedId.ts';

const uuidV7 = z.uuid({ version: 'v7' });

describe('timeOrderedId', () => {
  it('is a UUID version 7 with the RFC 9562 variant', () => {
    for (let i = 0; i < 1_000; i++) expect(uuidV7.safeParse(timeOrderedId()).success).toBe(true);
  });

  it('carries the given time in its first 48 bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), (ms) => {
        const id = timeOrderedId(ms);
        expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(ms);
      }),
    );
  });

  it('sorts ids made at later times after earlier ones, as strings', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 48 - 2 }),
        fc.integer({ min: 1, max: 10_000 }),
        (ms, later) => {
          const next = Math.min(ms + later, 2 ** 48 - 1);
          expect(timeOrderedId(ms) < timeOrderedId(next)).toBe(true);
        },
      ),
    );
  });

  it('never repeats an id within one millisecond (the random bits differ)', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => timeOrderedId(1_700_000_000_000)));
    expect(ids.size).toBe(20_000);
  });

  it.each([-1, 1.5, 2 ** 48, Number.NaN])('refuses %s as a time', (ms) => {
    expect(() => timeOrderedId(ms)).toThrow(RangeError);
  });
});
