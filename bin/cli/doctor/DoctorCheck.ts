export type CheckLevel = 'ok' | 'warn' | 'fail';

/** One result of `clawpulsar doctor`: what was checked, how it went, and the fix when it is not ok. */
export interface DoctorCheck {
  /** Stable id for scripts, e.g. `edge`, `clock`, `certificate`, `tunnel`, `openclaw.hooks`. */
  readonly id: string;
  readonly level: CheckLevel;
  readonly message: string;
  readonly fix?: string;
}

/** A check result, with the fix only when there is one. */
export function check(id: string, level: CheckLevel, message: string, fix?: string): DoctorCheck {
  return fix === undefined || level === 'ok' ? { id, level, message } : { id, level, message, fix };
}
