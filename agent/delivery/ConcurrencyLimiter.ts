/**
 * At most `limit` tasks at once; the rest wait in arrival order. Bounds the agent's concurrent requests
 * to local targets so a burst doesn't open hundreds of sockets, while one slow target holds only one slot.
 *
 * @example
 * const result = await limiter.run(() => forwarder.send(request));
 */
export class ConcurrencyLimiter {
  readonly #limit: number;
  readonly #waiting: (() => void)[] = [];
  #active = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next waiter, so `#active` stays counted.
      if (next) next();
      else this.#active--;
    }
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }
}
