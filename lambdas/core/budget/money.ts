/**
 * Money in the budget monitor: integer micro-dollars (1 USD = 1,000,000 micros).
 *
 * A micro-dollar amount is a plain JavaScript number that must be a safe integer. Safe integers reach
 * 2^53 − 1 micros ≈ $9.0 billion, far beyond any spend or limit this monitor tracks, and they keep the
 * arithmetic synchronous, allocation-free and JSON-friendly (a bigint would need custom serialisation at
 * every boundary). Every constructor and sum here checks the range and fails loudly instead of losing
 * precision.
 *
 * Providers report money in different units: OpenAI as dollars in JSON numbers, Anthropic as cents in
 * decimal strings, others as dollar decimal strings. Parsing never goes through floating-point
 * multiplication: the decimal digits are shifted exactly and anything finer than one micro-dollar is
 * rounded half-to-even (banker's rounding), so sums of many rounded values carry no systematic bias.
 */
import { BadRequestError } from '../errors.ts';

/** An amount in integer micro-dollars (safe integer; may be negative for credits and refunds). */
export type Micros = number;

export const MICROS_PER_DOLLAR = 1_000_000;

/** The unit a provider's number is expressed in; the exponent is how many digits to shift into micros. */
export type MoneyUnit = 'dollars' | 'cents';

const UNIT_EXPONENT: Record<MoneyUnit, number> = { dollars: 6, cents: 4 };

// Plain decimals ("123.4567", "-0.5"), optionally with an exponent for numbers that JavaScript prints in
// scientific notation ("1e-7"). A length cap keeps hostile input from building huge bigints.
const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d{1,3}))?$/;
const PLAIN_DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?$/;
const MAX_TEXT_LENGTH = 64;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function invalid(reason: string, text: string): BadRequestError {
  return new BadRequestError(
    'invalid_amount',
    `Invalid amount "${text.slice(0, MAX_TEXT_LENGTH)}": ${reason}`,
    {
      reason,
    },
  );
}

/** Divides a non-negative bigint by 10^shift, rounding half to even. */
function divRoundHalfEven(value: bigint, shift: number): bigint {
  const divisor = 10n ** BigInt(shift);
  const quotient = value / divisor;
  const twiceRemainder = (value % divisor) * 2n;
  if (twiceRemainder > divisor || (twiceRemainder === divisor && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}

function toMicros(text: string, unit: MoneyUnit, pattern: RegExp): Micros {
  if (text.length === 0 || text.length > MAX_TEXT_LENGTH) throw invalid('not a decimal number', text);
  const match = pattern.exec(text);
  if (!match) throw invalid('not a decimal number', text);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const digits = BigInt(`${whole}${fraction}`);
  // value = digits × 10^(exponent − fraction.length) units; micros = value × 10^UNIT_EXPONENT.
  const shift = UNIT_EXPONENT[unit] + Number(exponent) - fraction.length;
  const magnitude = shift >= 0 ? digits * 10n ** BigInt(shift) : divRoundHalfEven(digits, -shift);
  if (magnitude > MAX_SAFE) throw invalid('out of range', text);
  const micros = Number(magnitude);
  // Normalise -0 to 0 so equality and JSON output stay simple.
  return sign === '-' && micros !== 0 ? -micros : micros;
}

/**
 * Parses a decimal string exactly into micro-dollars, rounding below one micro half-to-even.
 *
 * @example
 * parseDecimalMicros('123.78912', 'cents'); // 1237891 (Anthropic's cost_report: cents as a string)
 * parseDecimalMicros('95.50', 'dollars'); // 95500000
 */
export function parseDecimalMicros(text: string, unit: MoneyUnit): Micros {
  return toMicros(text, unit, PLAIN_DECIMAL);
}

/**
 * Converts a JSON number into micro-dollars through its shortest round-trip decimal form, so 0.06 becomes
 * exactly 60000 (not 60000.00000000001 as `0.06 * 1e6` would).
 *
 * @example
 * jsonNumberToMicros(0.06, 'dollars'); // 60000 (OpenAI's Costs API)
 */
export function jsonNumberToMicros(value: number, unit: MoneyUnit): Micros {
  if (!Number.isFinite(value)) throw invalid('not a finite number', String(value));
  return toMicros(String(value), unit, DECIMAL);
}

/** Fails unless `value` is a safe integer amount of micros. */
export function assertMicros(value: number, what = 'amount'): Micros {
  if (!Number.isSafeInteger(value)) {
    throw new BadRequestError('invalid_amount', `${what} must be a whole number of micro-dollars`, { what });
  }
  return value;
}

/** Adds amounts, failing instead of silently losing precision past 2^53. */
export function sumMicros(values: Iterable<Micros>): Micros {
  let total = 0;
  for (const value of values) {
    total += value;
    if (!Number.isSafeInteger(total))
      throw new BadRequestError('invalid_amount', 'Sum of amounts is out of range');
  }
  return total;
}

/**
 * Formats micro-dollars as a decimal string in dollars: at least two decimals, at most six, no trailing
 * zeros past the cents.
 *
 * @example
 * formatMicros(60000); // "0.06"
 * formatMicros(1237891); // "1.237891"
 * formatMicros(-2500000); // "-2.50"
 */
export function formatMicros(micros: Micros): string {
  assertMicros(micros);
  const negative = micros < 0;
  const abs = negative ? -micros : micros;
  const whole = Math.floor(abs / MICROS_PER_DOLLAR);
  let fraction = String(abs % MICROS_PER_DOLLAR).padStart(6, '0');
  let end = fraction.length;
  while (end > 2 && fraction[end - 1] === '0') end--;
  fraction = fraction.slice(0, end);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}
