const DIGITS = /^[0-9]{1,16}$/;

/** Bounds for a provider timestamp. */
export interface TimestampWindow {
  /** Unix seconds: the verifier's now. */
  readonly nowSeconds: number;
  /** How far in the past the timestamp may be. */
  readonly toleranceSeconds: number;
  /** How far in the future it may be (clock skew); defaults to `toleranceSeconds`. */
  readonly futureSeconds?: number;
  /** Unit of the header: HubSpot sends milliseconds, everyone else seconds. */
  readonly unit?: 'seconds' | 'milliseconds';
}

/** The outcome of a timestamp check: fine, or a short reason. */
export type TimestampCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Checks a decimal unix timestamp against the verifier's clock. Only plain digits are accepted: signs,
 * fractions, exponents and whitespace are malformed, since the text itself is what the provider signed.
 *
 * @example
 * checkTimestamp('1700000000', 'X-Signature-Timestamp', { nowSeconds: 1700000100, toleranceSeconds: 300 });
 * // { ok: true }
 */
export function checkTimestamp(raw: string, label: string, window: TimestampWindow): TimestampCheck {
  if (!DIGITS.test(raw)) return { ok: false, reason: `malformed ${label}` };
  const scale = window.unit === 'milliseconds' ? 1000 : 1;
  const value = Number(raw);
  const now = window.nowSeconds * scale;
  if (now - value > window.toleranceSeconds * scale) return { ok: false, reason: 'timestamp too old' };
  if (value - now > (window.futureSeconds ?? window.toleranceSeconds) * scale) {
    return { ok: false, reason: 'timestamp too far in the future' };
  }
  return { ok: true };
}
