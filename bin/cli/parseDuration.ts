import { InvalidArgumentError } from 'commander';

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration option: a whole number with `ms`, `s`, `m` or `h` (a bare number is seconds), at
 * least one second and at most a day.
 *
 * @example
 * parseDuration('5m'); // 300000
 */
export function parseDuration(value: string): number {
  const match = /^(\d{1,9})(ms|s|m|h)?$/.exec(value.trim());
  const ms = match ? Number(match[1]) * (UNITS[match[2] ?? 's'] as number) : Number.NaN;
  if (!(ms >= 1000 && ms <= 86_400_000)) {
    throw new InvalidArgumentError('give a duration from 1s to 24h, e.g. 30s, 5m or 1h');
  }
  return ms;
}
