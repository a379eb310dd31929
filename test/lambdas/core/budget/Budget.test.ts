import { describe, expect, it } from 'vitest';
import { budgetHash, parseBudget } from '../../../../lambdas/core/budget/Budget.ts';
import { ClawPulsarError } from '../../../../lambdas/core/errors.ts';
import { monthlyBudget } from './fixtures.ts';

describe('parseBudget', () => {
  it('accepts a well-formed budget', () => {
    const input = {
      ...monthlyBudget(),
      scope: { provider: 'openai', keyIds: ['key_a', 'key_b'] },
      burnRate: { multiplier: 5, windowMinutes: 60 },
    };

    expect(parseBudget(input)).toEqual(input);
  });

  it.each([
    ['an unknown field', { ...monthlyBudget(), colour: 'red' }, /colour|Unrecognized/],
    ['an unknown provider', { ...monthlyBudget(), scope: { provider: 'acme' } }, /scope.provider/],
    ['a zero limit', { ...monthlyBudget(), limitMicros: 0 }, /limitMicros/],
    ['a fractional micro', { ...monthlyBudget(), limitMicros: 1.5 }, /limitMicros/],
    ['an unknown period', { ...monthlyBudget(), period: 'year' }, /period/],
    ['an unknown time zone', { ...monthlyBudget(), timeZone: 'Europe/Atlantis' }, /Unknown time zone/],
    [
      'a duplicate threshold id',
      {
        ...monthlyBudget(),
        thresholds: [
          { id: 'a', basis: 'actual', percent: 50 },
          { id: 'a', basis: 'actual', percent: 60 },
        ],
      },
      /duplicate/,
    ],
    [
      'a band on an actual threshold',
      { ...monthlyBudget(), thresholds: [{ id: 'a', basis: 'actual', percent: 50, band: 'p90' }] },
      /band/,
    ],
    [
      'a percentage with three decimals',
      { ...monthlyBudget(), thresholds: [{ id: 'a', basis: 'actual', percent: 33.333 }] },
      /percent|thresholds/,
    ],
    ['a burn multiplier of 1', { ...monthlyBudget(), burnRate: { multiplier: 1 } }, /burnRate.multiplier/],
    ['not an object', 'budget', /Invalid budget/],
  ])('rejects %s with a clear error', (_name, input, message) => {
    expect(() => parseBudget(input)).toThrow(ClawPulsarError);
    expect(() => parseBudget(input)).toThrow(message);
  });
});

describe('budgetHash', () => {
  it('changes when the meaning changes and not when only the name or key order does', () => {
    const base = monthlyBudget({ scope: { provider: 'openai', keyIds: ['a', 'b'] } });

    expect(budgetHash(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(budgetHash({ ...base, name: 'Renamed' })).toBe(budgetHash(base));
    expect(budgetHash({ ...base, scope: { provider: 'openai', keyIds: ['b', 'a'] } })).toBe(budgetHash(base));
    expect(budgetHash({ ...base, limitMicros: 200_000_000 })).not.toBe(budgetHash(base));
    expect(budgetHash({ ...base, timeZone: 'UTC' })).not.toBe(budgetHash(base));
    expect(budgetHash({ ...base, thresholds: base.thresholds.slice(1) })).not.toBe(budgetHash(base));
    expect(budgetHash({ ...base, burnRate: { multiplier: 5 } })).not.toBe(budgetHash(base));
  });
});
