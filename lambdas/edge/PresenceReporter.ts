import type { Logger, PresenceEvent } from '../core/ports.ts';
import { errorCode } from './errorCode.ts';

/**
 * Hands connect/disconnect events to the edge in the order the broker saw them, per agent: the next
 * event for an agent waits until the handler has finished with the previous one, so a slow store can't
 * apply a takeover's "connected" before the replaced session's "disconnected". `at` strictly increases
 * across all events (Date.now(), bumped by 1 ms on ties) so "newer" is never ambiguous to the store.
 * A failing handler is logged (agent id and error code only) and does not stop later events.
 *
 * @example
 * const presence = new PresenceReporter((event) => handlePresence(deps, event), logger);
 * presence.report('laptop', true, sessionId);
 */
export class PresenceReporter {
  readonly #onPresence: (event: PresenceEvent) => unknown;
  readonly #logger: Logger;
  readonly #chains = new Map<string, Promise<void>>();
  #lastAt = 0;

  constructor(onPresence: (event: PresenceEvent) => unknown, logger: Logger) {
    this.#onPresence = onPresence;
    this.#logger = logger;
  }

  /** Queues one event for `agentId`; returns at once. */
  report(agentId: string, connected: boolean, sessionId: string): void {
    const now = Date.now();
    const at = now > this.#lastAt ? now : this.#lastAt + 1;
    this.#lastAt = at;
    const event: PresenceEvent = { agentId, connected, at, sessionId };
    const onPresence = this.#onPresence;
    const next = (this.#chains.get(agentId) ?? Promise.resolve())
      .then(() => onPresence(event))
      .then(
        () => undefined,
        (error: unknown) => {
          this.#logger.error('tunnel_presence_handler_failed', { agentId, error: errorCode(error) });
        },
      );
    this.#chains.set(agentId, next);
    void next.then(() => {
      if (this.#chains.get(agentId) === next) this.#chains.delete(agentId);
    });
  }

  /** Resolves when every event reported so far has been handled. */
  async settled(): Promise<void> {
    while (this.#chains.size > 0) await Promise.all([...this.#chains.values()]);
  }
}
