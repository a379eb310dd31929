import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertMicros,
  formatMicros,
  jsonNumberToMicros,
  MICROS_PER_DOLLAR,
  parseDecimalMicros,
  sumMicros,
} from '../../../../lambdas/core/budget/money.ts';
import { ClawPulsarError } from '../../../../lambdas/core/errors.ts';

describe('parseDecimalMicros', () => {
  it('reads Anthropic cents strings as hundredths of a dollar, not dollars', () => {
    // Prepare: the documented example, "123.45" USD cents represents $1.23(45)
    const text = '123.45';

    // Act
    const micros = parseDecimalMicros(text, 'cents');

    // Assess: $1.2345 — a dollars/cents mix-up would give 123,450,000 or 12,345
    expect(micros).toBe(1_234_500);
    expect(micros).not.toBe(parseDecimalMicros(text, 'dollars'));
    expect(parseDecimalMicros(text, 'dollars')).toBe(micros * 100);
  });

  it('reads dollar strings exactly', () => {
    expect(parseDecimalMicros('95.50', 'dollars')).toBe(95_500_000);
    expect(parseDecimalMicros('0', 'dollars')).toBe(0);
    expect(parseDecimalMicros('-2.5', 'dollars')).toBe(-2_500_000);
    expect(parseDecimalMicros('0.000001', 'dollars')).toBe(1);
  });

  it('rounds below one micro-dollar half to even', () => {
    // 123.78912 cents = $1.2378912 → 1,237,891.2 micros
    expect(parseDecimalMicros('123.78912', 'cents')).toBe(1_237_891);
    expect(parseDecimalMicros('0.0000005', 'dollars')).toBe(0);
    expect(parseDecimalMicros('0.0000015', 'dollars')).toBe(2);
    expect(parseDecimalMicros('0.0000025', 'dollars')).toBe(2);
    expect(parseDecimalMicros('0.00000251', 'dollars')).toBe(3);
    expect(parseDecimalMicros('-0.0000025', 'dollars')).toBe(-2);
    expect(parseDecimalMicros('0.00005', 'cents')).toBe(0);
    expect(parseDecimalMicros('0.00015', 'cents')).toBe(2);
  });

  it('never goes through floating point: long fractions stay exact', () => {
    // 0.1 + 0.2 in floats is 0.30000000000000004; the string path must not care
    expect(parseDecimalMicros('0.3', 'dollars')).toBe(300_000);
    expect(parseDecimalMicros('1234567.891234', 'dollars')).toBe(1_234_567_891_234);
    expect(parseDecimalMicros('0.123456499999999999999', 'dollars')).toBe(123_456);
  });

  it.each([
    ['', 'empty'],
    ['1,5', 'comma'],
    ['.5', 'no leading digit'],
    ['5.', 'no fraction digits'],
    ['1e3', 'exponent in a provider string'],
    ['NaN', 'not a number'],
    ['0x10', 'hex'],
    [' 1', 'whitespace'],
    ['1'.repeat(65), 'too long'],
    ['99999999999', 'out of range (9.9e10 dollars)'],
  ])('rejects %j (%s)', (text) => {
    expect(() => parseDecimalMicros(text, 'dollars')).toThrow(ClawPulsarError);
  });

  it('equals the integer scaling for any whole number of micros', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (micros) => {
        expect(parseDecimalMicros(formatMicros(micros), 'dollars')).toBe(micros);
        // The same digits read as cents are a hundredth of the dollars.
        expect(parseDecimalMicros(formatMicros(micros * 100), 'cents')).toBe(micros);
      }),
    );
  });
});

describe('jsonNumberToMicros', () => {
  it('reads OpenAI dollars as JSON numbers exactly', () => {
    // 0.06 * 1e6 is 60000.00000000001 in floating point; the result must still be exact
    expect(jsonNumberToMicros(0.06, 'dollars')).toBe(60_000);
    expect(jsonNumberToMicros(0.13240000000000002, 'dollars')).toBe(132_400);
    expect(jsonNumberToMicros(12, 'dollars')).toBe(12_000_000);
  });

  it('handles numbers JavaScript prints in scientific notation', () => {
    expect(jsonNumberToMicros(1e-7, 'dollars')).toBe(0);
    expect(jsonNumberToMicros(2.5e-6, 'dollars')).toBe(2);
    expect(jsonNumberToMicros(3.5e-6, 'dollars')).toBe(4);
    expect(jsonNumberToMicros(1e3, 'dollars')).toBe(1_000_000_000);
  });

  it('rejects non-finite and out-of-range numbers', () => {
    expect(() => jsonNumberToMicros(Number.NaN, 'dollars')).toThrow(/finite/);
    expect(() => jsonNumberToMicros(Number.POSITIVE_INFINITY, 'dollars')).toThrow(/finite/);
    expect(() => jsonNumberToMicros(1e21, 'dollars')).toThrow(/range/);
  });

  it('agrees with rounding the exact decimal for any two-decimal dollar amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (cents) => {
        expect(jsonNumberToMicros(cents / 100, 'dollars')).toBe(cents * 10_000);
      }),
    );
  });
});

describe('formatMicros', () => {
  it('prints dollars with two to six decimals', () => {
    expect(formatMicros(60_000)).toBe('0.06');
    expect(formatMicros(1_237_891)).toBe('1.237891');
    expect(formatMicros(0)).toBe('0.00');
    expect(formatMicros(5)).toBe('0.000005');
    expect(formatMicros(-2_500_000)).toBe('-2.50');
    expect(formatMicros(100 * MICROS_PER_DOLLAR)).toBe('100.00');
  });

  it('rejects amounts that are not whole micros', () => {
    expect(() => formatMicros(0.5)).toThrow(ClawPulsarError);
    expect(() => assertMicros(Number.MAX_SAFE_INTEGER + 1)).toThrow(/whole number/);
  });
});

describe('sumMicros', () => {
  it('adds and refuses to lose precision', () => {
    expect(sumMicros([1, 2, 3])).toBe(6);
    expect(sumMicros([])).toBe(0);
    expect(() => sumMicros([Number.MAX_SAFE_INTEGER, 1])).toThrow(/out of range/);
  });
});
