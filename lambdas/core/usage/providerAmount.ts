/**
 * Turns a money field of a provider response into micro-dollars, naming the field when it is malformed.
 */
import type { Micros, MoneyUnit } from '../budget/money.ts';
import { jsonNumberToMicros, parseDecimalMicros } from '../budget/money.ts';
import { ProviderResponseError } from './errors.ts';

/**
 * Converts `value` (a JSON number or a decimal string) expressed in `unit`.
 *
 * @example
 * providerAmount('Anthropic', 'data[0].results[0].amount', '123.45', 'cents'); // 1234500
 */
export function providerAmount(
  provider: string,
  field: string,
  value: number | string,
  unit: MoneyUnit,
): Micros {
  try {
    return typeof value === 'number' ? jsonNumberToMicros(value, unit) : parseDecimalMicros(value, unit);
  } catch {
    throw new ProviderResponseError(provider, `${field} is not a valid amount`, { fields: [field] });
  }
}
