const UNIX_SECONDS = /^\d{1,12}$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export type TimestampFormat = 'unix-seconds' | 'rfc3339';

/**
 * Parses a signed timestamp into unix seconds (fractions kept), or undefined when it is not exactly in
 * the expected format. Strict on purpose: `Number(' 12 ')` and `Date.parse('12')` accept too much.
 *
 * @example
 * parseTimestamp('2023-05-31T19:14:36.571519425Z', 'rfc3339'); // 1685560476.5715194
 */
export function parseTimestamp(text: string, format: TimestampFormat): number | undefined {
  if (format === 'unix-seconds') return UNIX_SECONDS.test(text) ? Number(text) : undefined;
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = m as unknown as string[];
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  }
  const ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  return ms / 1000 - offsetMinutes * 60 + (fraction ? Number(`0${fraction}`) : 0);
}

/**
 * Bounds a signed timestamp in time, both ways: a stale one is a replay, a future one a replay prepared
 * in advance (or a skewed clock). Returns the reason to reject, or undefined when within tolerance.
 *
 * @example
 * checkTimestamp(1700000000, 1700000400, 300); // 'timestamp too old'
 */
export function checkTimestamp(
  timestamp: number,
  nowSeconds: number,
  toleranceSeconds: number,
): string | undefined {
  if (nowSeconds - timestamp > toleranceSeconds) return 'timestamp too old';
  if (timestamp - nowSeconds > toleranceSeconds) return 'timestamp in the future';
  return undefined;
}
