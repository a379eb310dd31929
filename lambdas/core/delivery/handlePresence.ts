import type { Logger, PresenceEvent, PresenceStore } from '../ports.ts';

export interface PresenceDeps {
  readonly presence: PresenceStore;
  readonly logger: Logger;
  /** Sends the agent's waiting envelopes now rather than at their next backoff step. */
  readonly flush: (agentId: string) => Promise<void>;
}

/**
 * Applies a connect/disconnect event (late, duplicated and out-of-order events are ignored by the store)
 * and flushes waiting envelopes when an agent comes online.
 *
 * @example
 * await handlePresence(deps, { agentId: 'laptop', connected: true, at: Date.now(), sessionId: 's1' });
 */
export async function handlePresence(deps: PresenceDeps, event: PresenceEvent): Promise<boolean> {
  const applied = await deps.presence.apply(event);
  if (!applied) return false;
  deps.logger.info(event.connected ? 'agent_connected' : 'agent_disconnected', { agentId: event.agentId });
  if (event.connected) await deps.flush(event.agentId);
  return true;
}
