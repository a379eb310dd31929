import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RelayFixture, relayFixture } from '../../../support/relayFixture.ts';

let f: RelayFixture;
beforeEach(async () => {
  f = relayFixture();
  await f.addAgent('laptop');
  await f.addAgent('desktop');
});
afterEach(() => f.close());

/** Queues an envelope for `agentId` received `ago` ms before now; its id. */
async function queued(agentId: string, ago: number): Promise<string> {
  const { pending } = await f.enqueueEnvelope(agentId, { receivedAt: f.clock.now() - ago });
  return pending.envelopeId;
}

const ids = (rows: { pending: { envelopeId: string } }[]) => rows.map((row) => row.pending.envelopeId);

function nextAttemptAt(envelopeId: string): number {
  return (
    f.db.prepare('SELECT next_attempt_at AS at FROM envelopes WHERE envelope_id = ?').get(envelopeId) as {
      at: number;
    }
  ).at;
}

describe('SqliteEnvelopeQueue', () => {
  it('lists due envelopes the longest due first, with their sealed bytes, leaving out the agents it is told to but for the envelopes it names', async () => {
    // Prepare
    const older = await queued('laptop', 3_000);
    const newer = await queued('laptop', 1_000);
    const desktop = await queued('desktop', 2_000);
    const later = await queued('laptop', 0);
    await f.queue.reschedule(later, 1, f.clock.now() + 30_000);

    // Act
    const all = f.queue.due(f.clock.now(), 10);
    const withoutDesktop = f.queue.due(f.clock.now(), 10, ['desktop']);
    const desktopHeldOnly = f.queue.due(f.clock.now(), 10, ['laptop'], [newer]);
    const firstTwo = f.queue.due(f.clock.now(), 2);

    // Assess
    expect(ids(all)).toEqual([older, desktop, newer]);
    expect(ids(withoutDesktop)).toEqual([older, newer]);
    expect(ids(desktopHeldOnly)).toEqual([desktop, newer]);
    expect(ids(firstTwo)).toEqual([older, desktop]);
    expect(all[0]?.sealed.byteLength).toBeGreaterThan(0);
  });

  it('lists one agent’s due envelopes, the longest due first, a page at a time', async () => {
    // Prepare
    const older = await queued('laptop', 3_000);
    await queued('desktop', 2_000);
    const newer = await queued('laptop', 1_000);
    const notDue = await queued('laptop', 500);
    await f.queue.reschedule(notDue, 1, f.clock.now() + 30_000);

    // Act
    const laptop = f.queue.dueFor('laptop', f.clock.now(), 10);
    const one = f.queue.dueFor('laptop', f.clock.now(), 1);
    const second = f.queue.dueFor('laptop', f.clock.now(), 1, 1);
    const past = f.queue.dueFor('laptop', f.clock.now(), 1, 2);

    // Assess
    expect(ids(laptop)).toEqual([older, newer]);
    expect(ids(one)).toEqual([older]);
    expect(ids(second)).toEqual([newer]);
    expect(ids(past)).toEqual([]);
  });

  it('makes every envelope of an agent due in the order received, and no other agent’s', async () => {
    // Prepare: a published one (due in 30 s), a held one (due in 60 s), a due one; and the desktop's, published.
    const first = await queued('laptop', 3_000);
    const second = await queued('laptop', 2_000);
    const third = await queued('laptop', 1_000);
    const desktop = await queued('desktop', 1_000);
    await f.queue.reschedule(first, 1, f.clock.now() + 30_000);
    await f.queue.reschedule(second, 0, f.clock.now() + 60_000);
    await f.queue.reschedule(desktop, 1, f.clock.now() + 30_000);

    // Act
    f.queue.makeDue('laptop', f.clock.now());

    // Assess
    expect(ids(f.queue.dueFor('laptop', f.clock.now(), 10))).toEqual([first, second, third]);
    expect(nextAttemptAt(first)).toBe(f.clock.now() - 3_000);
    expect(nextAttemptAt(desktop)).toBe(f.clock.now() + 30_000);
  });

  it('leaves out an envelope completed but not yet deleted, in every listing', async () => {
    // Prepare
    const done = await queued('laptop', 2_000);
    const waiting = await queued('laptop', 1_000);

    // Act
    await f.queue.complete(done);

    // Assess
    expect(ids(f.queue.due(f.clock.now(), 10))).toEqual([waiting]);
    expect(ids(f.queue.dueFor('laptop', f.clock.now(), 10))).toEqual([waiting]);
    expect(await f.queue.find(done)).toBeUndefined();
  });
});
