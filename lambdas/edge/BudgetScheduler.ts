import type { BudgetMonitorDeps } from '../core/monitor/BudgetMonitorDeps.ts';
import { type PollSummary, pollBudgets } from '../core/monitor/pollBudgets.ts';

/** Default time between polls: providers update usage every few minutes at best. */
export const DEFAULT_POLL_INTERVAL_MS = 5 * 60_000;
/** The first poll runs this soon after start, once the edge is up. */
const FIRST_POLL_DELAY_MS = 1_000;

/**
 * The local edge's schedule for the budget monitor (what EventBridge Scheduler is in AWS): the core's
 * `pollBudgets` every `intervalMs`, never two at once, plus an hourly sweep of expired rows.
 *
 * @example
 * const scheduler = new BudgetScheduler(monitor, { intervalMs: 300_000, sweep: () => history.sweep(now()) });
 * scheduler.start();
 */
export class BudgetScheduler {
  readonly #deps: BudgetMonitorDeps;
  readonly #intervalMs: number;
  readonly #sweep: () => void;
  #timer: NodeJS.Timeout | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #running: Promise<PollSummary | undefined> | undefined;
  #stopped = false;

  constructor(deps: BudgetMonitorDeps, options: { intervalMs: number; sweep: () => void }) {
    this.#deps = deps;
    this.#intervalMs = options.intervalMs;
    this.#sweep = options.sweep;
  }

  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#schedule(FIRST_POLL_DELAY_MS);
    this.#sweeper = setInterval(() => this.#sweep(), 3_600_000);
    this.#sweeper.unref();
  }

  /** Runs one cycle now (or joins the one under way). */
  pollNow(): Promise<PollSummary | undefined> {
    this.#running ??= pollBudgets(this.#deps, this.#deps.clock.now())
      .catch((error: unknown) => {
        this.#deps.logger.error('budget_poll_failed', {
          error: error instanceof Error ? error.name : 'unknown',
        });
        return undefined;
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  /** Stops the schedule and waits for a cycle under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearInterval(this.#sweeper);
    await this.#running;
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      void this.pollNow().finally(() => {
        if (!this.#stopped) this.#schedule(this.#intervalMs);
      });
    }, delayMs);
    this.#timer.unref();
  }
}
