import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteWriteBatcher } from '../../../lambdas/adapters/local/SqliteWriteBatcher.ts';
import { parseChunk } from '../../../lambdas/core/delivery/chunkEnvelope.ts';
import { handleAck } from '../../../lambdas/core/delivery/handleAck.ts';
import { handleIngress } from '../../../lambdas/core/ingress/handleIngress.ts';
import { LocalDispatcher, type LocalDispatcherOptions } from '../../../lambdas/edge/LocalDispatcher.ts';
import { type RelayFixture, relayFixture } from '../../support/relayFixture.ts';
import { signedRequest } from '../core/signatures/support/signedRequest.ts';

const SECRET = 'dispatcher-test-secret';
const DELIVERIES = 'clawpulsar/laptop/deliveries';

let f: RelayFixture;
let dispatcher: LocalDispatcher;
let commits: number;
beforeEach(async () => {
  f = relayFixture();
  await f.addAgent('laptop');
  await f.addSource('laptop', 'github', { provider: 'github', secrets: [SECRET] });
  f.commit();
  dispatcher = newDispatcher();
  commits = 0;
  SqliteWriteBatcher.for(f.db).afterCommit(() => commits++);
});
afterEach(() => {
  SqliteWriteBatcher.for(f.db).afterCommit(undefined);
  f.close();
});

/** A dispatcher on the fixture, without jitter. */
const newDispatcher = (options: LocalDispatcherOptions = {}) =>
  new LocalDispatcher(f.queue, f.dispatchDeps(), options);

const connect = () =>
  f.presence.apply({ agentId: 'laptop', connected: true, at: f.clock.now(), sessionId: 's1' });

/** A signed webhook through the ingress, queued by the dispatcher as the edge wires it; its envelope id. */
async function receive(): Promise<string> {
  const body = JSON.stringify({ action: 'opened', id: randomUUID() });
  const request = signedRequest({
    url: 'https://hooks.example.com/v1/hooks/laptop/github',
    headers: {
      'content-type': 'application/json',
      'x-github-delivery': randomUUID(),
      'x-github-event': 'issues',
      'x-hub-signature-256': await sign(SECRET, body),
    },
    body,
  });
  const response = await handleIngress(
    f.ingressDeps({ queue: dispatcher.ingressQueue }),
    { agentId: 'laptop', sourceId: 'github' },
    request,
  );
  expect(response.status).toBe(200);
  return (JSON.parse(response.body) as { envelopeId: string }).envelopeId;
}

/** Lets the dispatch started by the ingress run to its end (well short of the deferred log's 50 ms). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

/** The envelope ids published to the laptop, in order. */
const published = () => f.tunnel.messages.map((message) => parseChunk(message.payload).envelopeId);

/** The laptop acks `envelopeId` (delivered, 200), as the broker hands it to the edge. */
const ack = (envelopeId: string) =>
  handleAck(
    { pending: dispatcher.ackedEnvelopes, deliveryLog: f.deliveryLog, clock: f.clock, logger: f.logger },
    'laptop',
    Buffer.from(JSON.stringify({ envelopeId, statusCode: 200, attempts: 1, latencyMs: 3 })),
  );

function row(envelopeId: string) {
  return f.db
    .prepare('SELECT attempts, next_attempt_at AS nextAttemptAt FROM envelopes WHERE envelope_id = ?')
    .get(envelopeId) as { attempts: number; nextAttemptAt: number } | undefined;
}

describe('LocalDispatcher', () => {
  it('stores a new webhook as published once and publishes it at once, in one commit: nothing is left to write', async () => {
    // Prepare
    await connect();
    f.commit();
    commits = 0;

    // Act
    const envelopeId = await receive();
    await settle();

    // Assess
    expect(f.tunnel.messages.map((message) => message.topic)).toEqual([DELIVERIES]);
    expect(row(envelopeId)).toEqual({ attempts: 1, nextAttemptAt: f.clock.now() + 30_000 });
    expect(commits).toBe(1);
  });

  it('leaves an envelope stored as published alone until its look-again time, then publishes it as attempt 2', async () => {
    // Prepare
    await connect();
    const envelopeId = await receive();
    await settle();

    // Act
    await dispatcher.pump();
    const publishedBeforeDue = f.tunnel.messages.length;
    f.clock.advance(30_000);
    await dispatcher.pump();
    await settle();

    // Assess
    expect(publishedBeforeDue).toBe(1);
    expect(f.tunnel.messages.length).toBe(2);
    expect(row(envelopeId)).toEqual({ attempts: 2, nextAttemptAt: f.clock.now() + 60_000 });
  });

  it('writes a hold over the stored publish when the agent is offline: no attempt counted, nothing published', async () => {
    // Act
    const envelopeId = await receive();
    await settle();

    // Assess
    expect(f.tunnel.messages).toEqual([]);
    expect(row(envelopeId)).toEqual({ attempts: 0, nextAttemptAt: f.clock.now() + 30_000 });
  });

  it('writes a retry over the stored publish when the publish fails: no attempt counted', async () => {
    // Prepare
    await connect();
    f.tunnel.fail = true;

    // Act
    const envelopeId = await receive();
    await settle();

    // Assess
    expect(row(envelopeId)).toEqual({ attempts: 0, nextAttemptAt: f.clock.now() + 30_000 });
    expect(f.logger.events()).toContain('publish_failed');
  });

  it('publishes everything waiting for an agent on flush, whatever its look-again time, and counts each attempt', async () => {
    // Prepare: two webhooks while the agent was offline, held.
    const first = await receive();
    const second = await receive();
    await settle();
    await connect();

    // Act
    await dispatcher.flush('laptop');

    // Assess
    expect(f.tunnel.messages.length).toBe(2);
    expect(row(first)?.attempts).toBe(1);
    expect(row(second)?.attempts).toBe(1);
  });

  describe('delivery window', () => {
    it('publishes at most a window of unacked envelopes to an agent; the rest wait on disk, due at once, unpublished', async () => {
      // Prepare
      dispatcher = newDispatcher({ window: { envelopes: 2 } });
      await connect();

      // Act
      const ids = [await receive(), await receive(), await receive(), await receive()];
      await settle();

      // Assess: the first refusal is logged, with what the agent holds; the next ones are not.
      expect(published()).toEqual(ids.slice(0, 2));
      expect(f.logger.events().filter((event) => event === 'delivery_window_full')).toHaveLength(1);
      expect(f.logger.lines.find((line) => line.event === 'delivery_window_full')?.fields).toMatchObject({
        agentId: 'laptop',
        unacked: 2,
        limit: 2,
      });
      expect(row(ids[2] as string)).toEqual({ attempts: 0, nextAttemptAt: expect.any(Number) });
      expect(row(ids[3] as string)?.attempts).toBe(0);
    });

    it('sends the oldest waiting envelope when an ack makes room, and a new one only after those waiting', async () => {
      // Prepare
      dispatcher = newDispatcher({ window: { envelopes: 2 } });
      await connect();
      const ids = [await receive(), await receive(), await receive()];
      await settle();

      // Act
      await ack(ids[0] as string);
      const newest = await receive();
      await settle();

      // Assess: the waiting one took the freed place; the newest waits behind it (the window is full again).
      expect(published()).toEqual([ids[0], ids[1], ids[2]]);
      expect(row(ids[2] as string)?.attempts).toBe(1);
      expect(row(newest)?.attempts).toBe(0);
      await ack(ids[1] as string);
      await settle();
      expect(published()).toEqual([ids[0], ids[1], ids[2], newest]);
    });

    it('goes back to publishing new envelopes at once, in one commit, once nothing waits', async () => {
      // Prepare
      dispatcher = newDispatcher({ window: { envelopes: 1 } });
      await connect();
      const first = await receive();
      const second = await receive();
      await settle();
      await ack(first);
      await settle();
      await ack(second);
      await settle();
      f.commit();
      commits = 0;

      // Act
      const third = await receive();
      await settle();

      // Assess
      expect(published()).toEqual([first, second, third]);
      expect(commits).toBe(1);
      expect(f.logger.events().filter((event) => event.startsWith('delivery_window_'))).toEqual([
        'delivery_window_full',
        'delivery_window_drained',
      ]);
    });

    it('pumps due envelopes of agents with room and skips those of an agent whose window is full', async () => {
      // Prepare: the window of 1 is taken; the second waits; both are looked at by the timer's pump.
      dispatcher = newDispatcher({ window: { envelopes: 1 } });
      await connect();
      const first = await receive();
      const second = await receive();
      await settle();

      // Act
      await dispatcher.pump();
      await settle();
      const whileFull = published();
      f.clock.advance(30_000);
      await dispatcher.pump();
      await settle();

      // Assess: the unacked one is published again when due (it keeps its place); the waiting one still waits.
      expect(whileFull).toEqual([first]);
      expect(published()).toEqual([first, first]);
      expect(row(second)?.attempts).toBe(0);
    });

    it('frees the place of an envelope held for an offline agent: nothing holds the window while it is away', async () => {
      // Prepare
      dispatcher = newDispatcher({ window: { envelopes: 1 } });

      // Act: offline, both are held with a backoff (neither waits for room).
      const first = await receive();
      const second = await receive();
      await settle();

      // Assess
      expect(f.tunnel.messages).toEqual([]);
      expect(row(first)).toEqual({ attempts: 0, nextAttemptAt: f.clock.now() + 30_000 });
      expect(row(second)).toEqual({ attempts: 0, nextAttemptAt: f.clock.now() + 30_000 });
    });

    it('frees the place of an envelope whose publish failed', async () => {
      // Prepare
      dispatcher = newDispatcher({ window: { envelopes: 1 } });
      await connect();
      f.tunnel.fail = true;
      const failed = await receive();
      await settle();
      f.tunnel.fail = false;

      // Act
      const next = await receive();
      await settle();

      // Assess
      expect(row(failed)?.attempts).toBe(0);
      expect(published()).toEqual([next]);
    });

    it('on reconnect sends a window of the agent’s envelopes, oldest first, published or not, and the rest as acks come', async () => {
      // Prepare: published to the last session (unacked), then three more waiting behind the window of 2.
      dispatcher = newDispatcher({ window: { envelopes: 2 } });
      await connect();
      const ids = [await receive(), await receive(), await receive(), await receive(), await receive()];
      await settle();
      f.tunnel.messages.length = 0;

      // Act
      await dispatcher.flush('laptop');
      await settle();
      const onConnect = published();
      await ack(ids[0] as string);
      await ack(ids[1] as string);
      await settle();

      // Assess
      expect(onConnect).toEqual([ids[0], ids[1]]);
      expect(published()).toEqual([ids[0], ids[1], ids[2], ids[3]]);
    });

    it('frees the place of an expired envelope', async () => {
      // Prepare
      dispatcher = newDispatcher({ window: { envelopes: 1 } });
      await connect();
      const stale = await receive();
      const waiting = await receive();
      await settle();

      // Act: 72 h on, the unacked one expires when due, which frees its place for the waiting one, expired too.
      f.clock.advance(72 * 3600_000 + 1);
      await dispatcher.pump();
      await settle();

      // Assess: both expired (their deletes join the next commit); only the first was ever published.
      expect(await f.queue.find(stale)).toBeUndefined();
      expect(await f.queue.find(waiting)).toBeUndefined();
      expect(f.logger.events().filter((event) => event === 'delivery_expired')).toHaveLength(2);
      expect(published()).toEqual([stale]);
    });

    it('holds at most its bytes per agent, but always one envelope whatever its size', async () => {
      // Prepare
      dispatcher = newDispatcher({ window: { envelopes: 10, bytes: 1 } });
      await connect();

      // Act
      const ids = [await receive(), await receive()];
      await settle();
      const beforeAck = published();
      await ack(ids[0] as string);
      await settle();

      // Assess
      expect(beforeAck).toEqual([ids[0]]);
      expect(published()).toEqual(ids);
    });

    it('fills a window larger than one look at the queue, in order, each envelope once', async () => {
      // Prepare: 45 held while the agent was offline, a window of 40 (two looks of 32 and 8).
      dispatcher = newDispatcher({ window: { envelopes: 40 } });
      const ids: string[] = [];
      for (let i = 0; i < 45; i++) ids.push(await receive());
      await settle();
      await connect();

      // Act
      await dispatcher.flush('laptop');
      await settle();
      const onConnect = published();
      for (const id of ids.slice(0, 5)) await ack(id);
      await settle();

      // Assess
      expect(onConnect).toEqual(ids.slice(0, 40));
      expect(published()).toEqual(ids);
    });
  });
});
