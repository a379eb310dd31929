import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../core/ports.ts';

export interface DashboardSessionOptions {
  readonly clock?: Clock;
  /** How long a login link works (default 5 minutes); it works once. */
  readonly codeTtlMs?: number;
  /** How long a dashboard session lasts (default 12 hours). */
  readonly sessionTtlMs?: number;
  /** Sessions and codes kept at most; the oldest go first (default 32). */
  readonly maxEntries?: number;
}

/**
 * One-time login links and the sessions they open, in memory: a restart signs everyone out. Only
 * SHA-256 hashes of codes and session ids are kept, so a memory dump does not hand out a session.
 *
 * @example
 * const { code } = sessions.issueCode();           // printed as http://127.0.0.1:7700/dashboard/login?code=…
 * const session = sessions.redeem(code);           // set as an HttpOnly cookie
 * sessions.isValid(session?.id);                   // true, until it expires or ends
 */
export class DashboardSessions {
  readonly #clock: Clock;
  readonly #codeTtlMs: number;
  readonly #sessionTtlMs: number;
  readonly #max: number;
  readonly #codes = new Map<string, number>();
  readonly #sessions = new Map<string, number>();

  constructor(options: DashboardSessionOptions = {}) {
    this.#clock = options.clock ?? { now: Date.now };
    this.#codeTtlMs = options.codeTtlMs ?? 5 * 60_000;
    this.#sessionTtlMs = options.sessionTtlMs ?? 12 * 3_600_000;
    this.#max = options.maxEntries ?? 32;
  }

  get sessionTtlMs(): number {
    return this.#sessionTtlMs;
  }

  /** A new login code, `cpdash_` and 43 base64url characters (256 bits). */
  issueCode(): { code: string; expiresAt: number } {
    const code = `cpdash_${randomBytes(32).toString('base64url')}`;
    const expiresAt = this.#clock.now() + this.#codeTtlMs;
    this.#remember(this.#codes, hash(code), expiresAt);
    return { code, expiresAt };
  }

  /** Trades a code, once, for a session id; undefined when the code is unknown, used or expired. */
  redeem(code: string): { id: string; expiresAt: number } | undefined {
    const key = hash(code);
    const expiresAt = this.#codes.get(key);
    this.#codes.delete(key);
    if (expiresAt === undefined || expiresAt <= this.#clock.now()) return undefined;
    const id = randomBytes(32).toString('base64url');
    const sessionExpiresAt = this.#clock.now() + this.#sessionTtlMs;
    this.#remember(this.#sessions, hash(id), sessionExpiresAt);
    return { id, expiresAt: sessionExpiresAt };
  }

  isValid(id: string | undefined): boolean {
    if (!id) return false;
    const key = hash(id);
    const expiresAt = this.#sessions.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.#clock.now()) return true;
    this.#sessions.delete(key);
    return false;
  }

  end(id: string | undefined): void {
    if (id) this.#sessions.delete(hash(id));
  }

  #remember(map: Map<string, number>, key: string, expiresAt: number): void {
    const now = this.#clock.now();
    for (const [k, at] of map) if (at <= now) map.delete(k);
    // Maps iterate in insertion order: the first key is the oldest.
    while (map.size >= this.#max) map.delete(map.keys().next().value as string);
    map.set(key, expiresAt);
  }
}

function hash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}
