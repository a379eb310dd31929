import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handlePresence, type PresenceDeps } from '../../../../lambdas/core/delivery/handlePresence.ts';
import type { PresenceEvent } from '../../../../lambdas/core/ports.ts';
import { type RelayFixture, relayFixture } from '../../../support/relayFixture.ts';

const T0 = Date.UTC(2026, 0, 15, 9);

let f: RelayFixture;
let flushed: string[];
let deps: PresenceDeps;
beforeEach(() => {
  f = relayFixture({ startMs: T0 });
  flushed = [];
  deps = {
    presence: f.presence,
    logger: f.logger,
    flush: async (agentId) => {
      flushed.push(agentId);
    },
  };
});
afterEach(() => f.close());

const connected = (at: number, sessionId: string, agentId = 'laptop'): PresenceEvent => ({
  agentId,
  connected: true,
  at,
  sessionId,
});
const disconnected = (at: number, sessionId: string, agentId = 'laptop'): PresenceEvent => ({
  agentId,
  connected: false,
  at,
  sessionId,
});

async function apply(...events: PresenceEvent[]): Promise<boolean[]> {
  const applied: boolean[] = [];
  for (const event of events) applied.push(await handlePresence(deps, event));
  return applied;
}

describe('handlePresence', () => {
  it('marks a connecting agent online and flushes its waiting envelopes at once', async () => {
    // Act
    const applied = await handlePresence(deps, connected(T0, 's1'));

    // Assess
    expect(applied).toBe(true);
    expect(await f.presence.isOnline('laptop')).toBe(true);
    expect(await f.presence.get('laptop')).toEqual({ agentId: 'laptop', connected: true, lastSeen: T0 });
    expect(flushed).toEqual(['laptop']);
    expect(f.logger.lines).toEqual([
      { level: 'info', event: 'agent_connected', fields: { agentId: 'laptop' } },
    ]);
  });

  it('records a disconnect of the live session, without flushing', async () => {
    // Prepare
    await apply(connected(T0, 's1'));

    // Act
    const applied = await handlePresence(deps, disconnected(T0 + 5_000, 's1'));

    // Assess
    expect(applied).toBe(true);
    expect(await f.presence.get('laptop')).toEqual({
      agentId: 'laptop',
      connected: false,
      lastSeen: T0 + 5_000,
    });
    expect(flushed).toEqual(['laptop']);
    expect(f.logger.events()).toEqual(['agent_connected', 'agent_disconnected']);
  });

  it('flushes again when the agent reconnects with a new session', async () => {
    // Act
    const applied = await apply(connected(T0, 's1'), disconnected(T0 + 1, 's1'), connected(T0 + 2, 's2'));

    // Assess
    expect(applied).toEqual([true, true, true]);
    expect(flushed).toEqual(['laptop', 'laptop']);
    expect(await f.presence.isOnline('laptop')).toBe(true);
  });

  describe('ignores late, duplicated and out-of-order events: no change, no flush, no log line', () => {
    it('a duplicated connect of the same session', async () => {
      // Act
      const applied = await apply(connected(T0, 's1'), connected(T0, 's1'), connected(T0 + 10, 's1'));

      // Assess
      expect(applied).toEqual([true, false, false]);
      expect(flushed).toEqual(['laptop']);
      expect(f.logger.events()).toEqual(['agent_connected']);
    });

    it('a duplicated disconnect', async () => {
      // Act
      const applied = await apply(
        connected(T0, 's1'),
        disconnected(T0 + 1, 's1'),
        disconnected(T0 + 1, 's1'),
      );

      // Assess
      expect(applied).toEqual([true, true, false]);
      expect(f.logger.events()).toEqual(['agent_connected', 'agent_disconnected']);
    });

    it('the late disconnect of a replaced session, which must not take the new one offline', async () => {
      // Act: s1 connects, s2 replaces it, then s1's disconnect arrives (later in time).
      const applied = await apply(connected(T0, 's1'), connected(T0 + 10, 's2'), disconnected(T0 + 20, 's1'));

      // Assess
      expect(applied).toEqual([true, true, false]);
      expect(await f.presence.isOnline('laptop')).toBe(true);
    });

    it('a disconnect older than the connect it arrives after', async () => {
      // Act: the disconnect of s1 happened before s2 connected but is delivered after.
      const applied = await apply(connected(T0 + 10, 's2'), disconnected(T0, 's1'));

      // Assess
      expect(applied).toEqual([true, false]);
      expect(await f.presence.isOnline('laptop')).toBe(true);
    });

    it('a connect older than the disconnect it arrives after', async () => {
      // Prepare
      await apply(connected(T0, 's1'), disconnected(T0 + 20, 's1'));

      // Act
      const applied = await handlePresence(deps, connected(T0 + 10, 's0'));

      // Assess
      expect(applied).toBe(false);
      expect(await f.presence.isOnline('laptop')).toBe(false);
      expect(flushed).toEqual(['laptop']);
    });

    it('a disconnect of an agent never seen connected', async () => {
      // Act
      const applied = await handlePresence(deps, disconnected(T0, 's1'));

      // Assess
      expect(applied).toBe(false);
      expect(await f.presence.get('laptop')).toBeUndefined();
      expect(f.logger.lines).toEqual([]);
    });
  });

  it('keeps agents apart: one connecting flushes only its own envelopes', async () => {
    // Act
    await apply(connected(T0, 's1', 'laptop'));

    // Assess
    expect(flushed).toEqual(['laptop']);
    expect(await f.presence.isOnline('desktop')).toBe(false);
  });

  it('hands a failing flush to the caller with the agent recorded online, so its envelopes still go out at their next step', async () => {
    // Prepare: the dispatcher fails while the agent is connecting.
    const failing: PresenceDeps = {
      ...deps,
      flush: async () => {
        throw new Error('queue locked');
      },
    };

    // Act
    const attempt = handlePresence(failing, connected(T0, 's1'));

    // Assess
    await expect(attempt).rejects.toThrow('queue locked');
    expect(await f.presence.isOnline('laptop')).toBe(true);
  });
});
