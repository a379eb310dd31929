import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CHUNK_PAYLOAD, parseChunk } from '../../../../lambdas/core/delivery/chunkEnvelope.ts';
import {
  type DispatchDeps,
  dispatchEnvelope,
  plannedPublish,
} from '../../../../lambdas/core/delivery/dispatchEnvelope.ts';
import { EnvelopeReassembler } from '../../../../lambdas/core/delivery/EnvelopeReassembler.ts';
import { openEnvelope } from '../../../../lambdas/core/envelope/index.ts';
import { RETENTION_MS } from '../../../../lambdas/core/ingress/limits.ts';
import type { TunnelPublisher } from '../../../../lambdas/core/ports.ts';
import { type RelayFixture, relayFixture } from '../../../support/relayFixture.ts';

const DELIVERIES = 'clawpulsar/laptop/deliveries';

let f: RelayFixture;
let deps: DispatchDeps;
beforeEach(async () => {
  f = relayFixture();
  await f.addAgent('laptop');
  await f.addAgent('desktop');
  // No jitter, so each next look is exact.
  deps = f.dispatchDeps();
});
afterEach(() => f.close());

const connect = (agentId: string, sessionId = 's1') =>
  f.presence.apply({ agentId, connected: true, at: f.clock.now(), sessionId });

/** What the agent makes of everything published to its deliveries topic. */
function received(agentId = 'laptop') {
  const reassembler = new EnvelopeReassembler();
  const topic = `clawpulsar/${agentId}/deliveries`;
  return f.tunnel.messages
    .filter((message) => message.topic === topic)
    .map((message) => reassembler.accept(message.payload, f.clock.now()))
    .filter((whole) => whole !== undefined);
}

/** The sealed size of a request body of `length` bytes (the envelope's overhead is fixed for one binding). */
async function sealedSizeFor(length: number): Promise<number> {
  const probe = relayFixture();
  await probe.addAgent('laptop');
  const { sealed } = await probe.enqueueEnvelope('laptop', { body: new Uint8Array(length) });
  probe.close();
  return sealed.byteLength;
}

describe('dispatchEnvelope', () => {
  it("publishes to the agent's deliveries topic when it is online, and leaves the envelope queued until the ack", async () => {
    // Prepare
    await connect('laptop');
    const { pending, sealed } = await f.enqueueEnvelope('laptop');
    const now = f.clock.now();

    // Act
    const decision = await dispatchEnvelope(deps, pending, sealed);

    // Assess
    expect(decision).toEqual({ action: 'published', attempts: 1, retryAt: now + 30_000 });
    expect(f.tunnel.messages.map((message) => message.topic)).toEqual([DELIVERIES]);
    const chunk = parseChunk(f.tunnel.messages[0]!.payload);
    expect(chunk).toMatchObject({ envelopeId: pending.envelopeId, index: 0, count: 1 });
    expect(Buffer.from(chunk.payload).equals(sealed)).toBe(true);
    expect(await f.queue.find(pending.envelopeId)).toEqual(pending);
    expect((await f.deliveryLog.list({ limit: 10 })).map((entry) => entry.status)).toEqual(['queued']);
  });

  it('counts the attempt on from what the queue recorded and backs off accordingly', async () => {
    // Prepare
    await connect('laptop');
    const { pending, sealed } = await f.enqueueEnvelope('laptop');

    // Act
    const decision = await dispatchEnvelope(deps, { ...pending, attempts: 3 }, sealed);

    // Assess
    expect(decision).toEqual({ action: 'published', attempts: 4, retryAt: f.clock.now() + 240_000 });
  });

  it('chunks an envelope larger than one MQTT message, in order; the agent reassembles and opens it', async () => {
    // Prepare
    await connect('laptop');
    const body = Buffer.alloc(300 * 1024, 'CANARY-chunked-body ');
    const { pending, sealed } = await f.enqueueEnvelope('laptop', { body });

    // Act
    const decision = await dispatchEnvelope(deps, pending, sealed);

    // Assess
    expect(decision.action).toBe('published');
    const chunks = f.tunnel.messages.map((message) => parseChunk(message.payload));
    expect(chunks.map((chunk) => chunk.index)).toEqual([0, 1, 2, 3]);
    expect(chunks.every((chunk) => chunk.payload.byteLength <= MAX_CHUNK_PAYLOAD)).toBe(true);
    const [whole] = received();
    expect(Buffer.from(whole!.envelope).equals(sealed)).toBe(true);
    const opened = openEnvelope({
      recipientPrivateKey: f.keysOf('laptop').privateKey,
      envelope: whole!.envelope,
      expectedAgentId: 'laptop',
    });
    expect(Buffer.from(opened.request.body).equals(body)).toBe(true);
    expect(Buffer.concat(f.tunnel.messages.map((m) => m.payload)).includes('CANARY')).toBe(false);
  });

  it('sends a sealed envelope of exactly 96 KiB as one message and one byte more as two', async () => {
    // Prepare
    await connect('laptop');
    const overhead = (await sealedSizeFor(1_000)) - 1_000;
    const exact = await f.enqueueEnvelope('laptop', { body: new Uint8Array(MAX_CHUNK_PAYLOAD - overhead) });
    const over = await f.enqueueEnvelope('laptop', {
      body: new Uint8Array(MAX_CHUNK_PAYLOAD - overhead + 1),
    });
    expect(exact.sealed.byteLength).toBe(MAX_CHUNK_PAYLOAD);

    // Act
    await dispatchEnvelope(deps, exact.pending, exact.sealed);
    const afterExact = f.tunnel.messages.length;
    await dispatchEnvelope(deps, over.pending, over.sealed);

    // Assess
    expect(afterExact).toBe(1);
    expect(f.tunnel.messages.length - afterExact).toBe(2);
    expect(received().map((whole) => whole.envelope.byteLength)).toEqual([
      MAX_CHUNK_PAYLOAD,
      MAX_CHUNK_PAYLOAD + 1,
    ]);
  });

  describe('holds the envelope while its agent is offline, publishing nothing and counting no attempt', () => {
    it('an agent that never connected', async () => {
      // Prepare
      const { pending, sealed } = await f.enqueueEnvelope('laptop');

      // Act
      const decision = await dispatchEnvelope(deps, pending, sealed);

      // Assess
      expect(decision).toEqual({ action: 'hold', retryAt: f.clock.now() + 30_000 });
      expect(f.tunnel.messages).toEqual([]);
    });

    it('an agent that disconnected, looking again at the step its attempts reached', async () => {
      // Prepare
      await connect('laptop');
      f.clock.advance(1_000);
      await f.presence.apply({ agentId: 'laptop', connected: false, at: f.clock.now(), sessionId: 's1' });
      const { pending, sealed } = await f.enqueueEnvelope('laptop');

      // Act
      const decision = await dispatchEnvelope(deps, { ...pending, attempts: 5 }, sealed);

      // Assess
      expect(decision).toEqual({ action: 'hold', retryAt: f.clock.now() + 480_000 });
      expect(f.tunnel.messages).toEqual([]);
    });

    it('while another agent is online', async () => {
      // Prepare
      await connect('desktop');
      const { pending, sealed } = await f.enqueueEnvelope('laptop');

      // Act
      const decision = await dispatchEnvelope(deps, pending, sealed);

      // Assess
      expect(decision.action).toBe('hold');
      expect(f.tunnel.messages).toEqual([]);
    });
  });

  describe('after 72 h', () => {
    it('records the envelope as expired and publishes nothing, even with its agent online', async () => {
      // Prepare
      await connect('laptop');
      const receivedAt = f.clock.now() - RETENTION_MS;
      const { pending, sealed } = await f.enqueueEnvelope('laptop', { receivedAt });

      // Act
      const decision = await dispatchEnvelope(deps, { ...pending, attempts: 7 }, sealed);

      // Assess
      expect(decision).toEqual({ action: 'expire' });
      expect(f.tunnel.messages).toEqual([]);
      expect(await f.deliveryLog.list({ limit: 10 })).toEqual([
        {
          envelopeId: pending.envelopeId,
          agentId: 'laptop',
          sourceId: 'github',
          provider: 'github',
          deliveryId: pending.deliveryId,
          receivedAt,
          // Which size the entry keeps is the log adapter's choice (SQLite: the body size the ingress logged).
          sizeBytes: expect.any(Number),
          status: 'expired',
          attempts: 7,
          updatedAt: f.clock.now(),
        },
      ]);
      expect(f.logger.lines.at(-1)).toMatchObject({
        level: 'warn',
        event: 'delivery_expired',
        fields: { envelopeId: pending.envelopeId, agentId: 'laptop', attempts: 7 },
      });
    });

    it("expires an offline agent's envelope too", async () => {
      // Prepare
      const { pending, sealed } = await f.enqueueEnvelope('laptop', {
        receivedAt: f.clock.now() - RETENTION_MS,
      });

      // Act
      const decision = await dispatchEnvelope(deps, pending, sealed);

      // Assess
      expect(decision).toEqual({ action: 'expire' });
    });

    it('still publishes one millisecond before, and never looks again past the 72 h mark', async () => {
      // Prepare
      await connect('laptop');
      const receivedAt = f.clock.now() - RETENTION_MS + 1;
      const { pending, sealed } = await f.enqueueEnvelope('laptop', { receivedAt });

      // Act
      const decision = await dispatchEnvelope(deps, pending, sealed);

      // Assess
      expect(decision).toEqual({ action: 'published', attempts: 1, retryAt: receivedAt + RETENTION_MS });
      expect(f.tunnel.messages).toHaveLength(1);
    });

    it('caps a hold and a publish retry at the 72 h mark as well', async () => {
      // Prepare
      const receivedAt = f.clock.now() - RETENTION_MS + 5_000;
      const { pending, sealed } = await f.enqueueEnvelope('laptop', { receivedAt });

      // Act
      const hold = await dispatchEnvelope(deps, pending, sealed);
      await connect('laptop');
      f.tunnel.fail = true;
      const retry = await dispatchEnvelope(deps, pending, sealed);

      // Assess
      expect(hold).toEqual({ action: 'hold', retryAt: receivedAt + RETENTION_MS });
      expect(retry).toEqual({ action: 'retry', retryAt: receivedAt + RETENTION_MS });
    });
  });

  describe('when the publish fails', () => {
    it('tries again in 30 s without counting an attempt, and logs the error name only', async () => {
      // Prepare
      await connect('laptop');
      f.tunnel.fail = true;
      const { pending, sealed } = await f.enqueueEnvelope('laptop');

      // Act
      const decision = await dispatchEnvelope(deps, { ...pending, attempts: 4 }, sealed);

      // Assess
      expect(decision).toEqual({ action: 'retry', retryAt: f.clock.now() + 30_000 });
      expect(f.logger.lines.at(-1)).toEqual({
        level: 'warn',
        event: 'publish_failed',
        fields: {
          envelopeId: pending.envelopeId,
          agentId: 'laptop',
          sourceId: 'github',
          deliveryId: pending.deliveryId,
          error: 'Error',
        },
      });
      expect(JSON.stringify(f.logger.lines)).not.toContain('broker down');
    });

    it('tries again when a chunk in the middle fails, and stops publishing that envelope', async () => {
      // Prepare: a tunnel that refuses the second frame.
      await connect('laptop');
      let frames = 0;
      const flaky: TunnelPublisher = {
        publish: async (topic, payload) => {
          if (++frames === 2) throw Object.assign(new Error('packet too large'), { name: 'PublishError' });
          await f.tunnel.publish(topic, payload);
        },
      };
      const { pending, sealed } = await f.enqueueEnvelope('laptop', { body: new Uint8Array(300 * 1024) });

      // Act
      const decision = await dispatchEnvelope({ ...deps, publisher: flaky }, pending, sealed);

      // Assess
      expect(decision).toEqual({ action: 'retry', retryAt: f.clock.now() + 30_000 });
      expect(f.tunnel.messages).toHaveLength(1);
      expect(f.logger.lines.at(-1)?.fields?.error).toBe('PublishError');
    });
  });

  it('plans a publish exactly as it decides one once published, at every attempt and up to the 72 h mark', async () => {
    // Prepare
    await connect('laptop');
    const { pending, sealed } = await f.enqueueEnvelope('laptop');
    const cases = [0, 1, 5, 20].map((attempts) => ({ ...pending, attempts }));

    for (const waiting of cases) {
      // Act
      const planned = plannedPublish(waiting, f.clock.now(), deps.random);
      const decision = await dispatchEnvelope(deps, waiting, sealed);

      // Assess
      expect(decision).toEqual({ action: 'published', ...planned });
    }
    const late = plannedPublish(pending, pending.receivedAt + RETENTION_MS - 1_000, deps.random);
    expect(late).toEqual({ attempts: 1, retryAt: pending.receivedAt + RETENTION_MS });
  });

  it('draws its jitter from Math.random when given none', async () => {
    // Prepare
    await connect('laptop');
    const { pending, sealed } = await f.enqueueEnvelope('laptop');
    const { random: _fixed, ...unjittered } = deps;
    const now = f.clock.now();

    // Act
    const decisions = await Promise.all(
      Array.from({ length: 20 }, () => dispatchEnvelope(unjittered, pending, sealed)),
    );

    // Assess
    const delays = decisions.map((d) => (d.action === 'published' ? d.retryAt - now : Number.NaN));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(24_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(36_000);
  });
});
