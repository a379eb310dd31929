import { ClawPulsarError } from '../errors.ts';

/** `now` must be a real instant: NaN or a fraction would silently produce a broken validity period. */
export function assertTime(now: number): void {
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new ClawPulsarError(
      'time_invalid',
      'The current time must be whole milliseconds since the epoch',
      500,
    );
  }
}
