import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoPresenceStore } from '../../../../lambdas/adapters/aws/DynamoPresenceStore.ts';
import type { PresenceEvent } from '../../../../lambdas/core/ports.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../support/localDynamo.ts';

const connect = (agentId: string, sessionId: string, at: number): PresenceEvent => ({
  agentId,
  connected: true,
  at,
  sessionId,
});
const disconnect = (agentId: string, sessionId: string, at: number): PresenceEvent => ({
  agentId,
  connected: false,
  at,
  sessionId,
});

describe('DynamoPresenceStore', () => {
  let dynamo: LocalDynamo;
  let presence: DynamoPresenceStore;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    presence = new DynamoPresenceStore(dynamo.client, dynamo.tables.presence);
  });
  afterAll(() => dynamo.close());

  it('applies a connect once: a duplicate is not applied again', async () => {
    // Act
    const first = await presence.apply(connect('dup-1', 's1', 100));
    const duplicate = await presence.apply(connect('dup-1', 's1', 100));

    // Assess
    expect([first, duplicate]).toEqual([true, false]);
    expect(await presence.get('dup-1')).toEqual({ agentId: 'dup-1', connected: true, lastSeen: 100 });
  });

  it('keeps an agent offline when its connect arrives after its own disconnect', async () => {
    // Act
    await presence.apply(disconnect('late-1', 's1', 200));
    const lateConnect = await presence.apply(connect('late-1', 's1', 100));

    // Assess
    expect(lateConnect).toBe(false);
    expect(await presence.isOnline('late-1')).toBe(false);
  });

  it('keeps an agent online when an old session ends after a newer one began', async () => {
    // Prepare
    await presence.apply(connect('swap-1', 's1', 100));
    await presence.apply(connect('swap-1', 's2', 300));

    // Act
    const oldEnd = await presence.apply(disconnect('swap-1', 's1', 200));

    // Assess
    expect(oldEnd).toBe(false);
    expect(await presence.isOnline('swap-1')).toBe(true);
  });

  it('brings back an agent that resumes the same persistent session', async () => {
    // Prepare
    await presence.apply(connect('resume-1', 's1', 100));
    await presence.apply(disconnect('resume-1', 's1', 200));

    // Act
    const resumed = await presence.apply(connect('resume-1', 's1', 300));

    // Assess
    expect(resumed).toBe(true);
    expect(await presence.isOnline('resume-1')).toBe(true);
  });

  it('knows nothing about an agent that never connected', async () => {
    expect(await presence.get('never-1')).toBeUndefined();
    expect(await presence.isOnline('never-1')).toBe(false);
  });

  it('ends in the state of the latest event whatever the order and duplication of delivery', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Sessions one after another: each a connect, and a disconnect unless it is the last and still open.
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        fc.array(fc.nat({ max: 50 }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 4 }),
        fc.infiniteStream(fc.nat()),
        async (sessions, lastStillOpen, gaps, duplicates, order) => {
          const agentId = `prop-${run++}`;
          const events: PresenceEvent[] = [];
          let at = 1_000;
          for (let s = 0; s < sessions; s++) {
            at += 1 + (gaps[2 * s] ?? 0);
            events.push(connect(agentId, `s${s}`, at));
            if (s === sessions - 1 && lastStillOpen) break;
            at += 1 + (gaps[2 * s + 1] ?? 0);
            events.push(disconnect(agentId, `s${s}`, at));
          }
          const latest = events[events.length - 1] as PresenceEvent;
          const delivered = [...events, ...duplicates.map((d) => events[d % events.length] as PresenceEvent)];
          const shuffled: PresenceEvent[] = [];
          const iterator = order[Symbol.iterator]();
          while (delivered.length)
            shuffled.push(
              delivered.splice((iterator.next().value as number) % delivered.length, 1)[0] as PresenceEvent,
            );

          for (const event of shuffled) await presence.apply(event);

          expect(await presence.get(agentId)).toEqual({
            agentId,
            connected: latest.connected,
            lastSeen: latest.at,
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
