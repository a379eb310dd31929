import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentConfig, agentConfigSchema } from '../../../agent/config/agentConfig.ts';
import { ConcurrencyLimiter } from '../../../agent/delivery/ConcurrencyLimiter.ts';
import { DeliveryProcessor } from '../../../agent/delivery/DeliveryProcessor.ts';
import { OutcomeStore } from '../../../agent/delivery/OutcomeStore.ts';
import { LocalForwarder } from '../../../agent/forward/LocalForwarder.ts';
import { TargetAllowlist } from '../../../agent/routing/TargetAllowlist.ts';
import type { AckMessage } from '../../../lambdas/core/delivery/messages.ts';
import { generateSealingKeyPair, sealRequest } from '../../../lambdas/core/envelope/index.ts';
import { MemoryLogger } from '../../support/MemoryLogger.ts';
import { RecordingTarget } from '../../support/RecordingTarget.ts';
import { githubRequest } from '../agentFixtures.ts';

const keys = generateSealingKeyPair();

function sealed(deliveryId: string, sourceId = 'github', envelopeId = randomUUID()) {
  return {
    envelopeId,
    bytes: sealRequest({
      recipientPublicKey: keys.publicKey,
      binding: { agentId: 'proc-agent', sourceId, deliveryId, receivedAt: Date.now(), envelopeId },
      request: githubRequest(Buffer.from(`{"delivery":"${deliveryId}"}`)),
    }),
  };
}

describe('DeliveryProcessor', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(
    routes: Pick<AgentConfig, 'routes' | 'defaultRoute'>,
    reply?: Parameters<typeof RecordingTarget.start>[0],
  ) {
    const target = await RecordingTarget.start(reply);
    cleanups.push(() => target.close());
    const config = agentConfigSchema.parse({
      version: 1,
      agentId: 'proc-agent',
      edgeUrl: 'http://127.0.0.1:1',
      webhookBaseUrl: 'http://127.0.0.1:1/v1/hooks',
      tunnel: { host: '127.0.0.1', port: 1, serverName: 'localhost' },
      ...JSON.parse(JSON.stringify(routes).replaceAll('TARGET', target.url('/hooks'))),
      forwarding: { retryBaseMs: 10, retryMaxMs: 50, maxAttempts: 100 },
    });
    const allowlist = new TargetAllowlist(config.allowlist);
    const forwarder = new LocalForwarder({ lookup: allowlist.lookup, maxSockets: 4 });
    cleanups.push(() => forwarder.close());
    const outcomes = new OutcomeStore(':memory:');
    cleanups.push(() => outcomes.close());
    const acks: AckMessage[] = [];
    const logger = new MemoryLogger();
    const processor = new DeliveryProcessor({
      agentId: 'proc-agent',
      sealingPrivateKey: keys.privateKey,
      routing: () => ({ config, allowlist }),
      forwarder,
      limiter: new ConcurrencyLimiter(4),
      outcomes,
      ack: (ack) => acks.push(ack),
      logger,
      clock: { now: () => Date.now() },
    });
    cleanups.push(() => processor.stop());
    return { target, processor, acks, logger };
  }

  it('forwards a copy that arrives while the first is still in flight only once', async () => {
    // Prepare
    const { target, processor, acks } = await setup({ routes: { github: { target: 'TARGET' } } }, () => ({
      status: 200,
      delayMs: 200,
    }));
    const envelope = sealed('d-1');

    // Act
    const results = await Promise.all([
      processor.handle(envelope.envelopeId, envelope.bytes),
      processor.handle(envelope.envelopeId, envelope.bytes),
    ]);

    // Assess
    expect(results.sort()).toEqual(['forwarded', 'in-flight']);
    expect(target.requests).toHaveLength(1);
    expect(acks).toHaveLength(1);
  });

  it('uses the default route for a source without its own, and refuses (ack 0) when there is none', async () => {
    // Prepare
    const withDefault = await setup({ routes: {}, defaultRoute: { target: 'TARGET' } });
    const withoutDefault = await setup({ routes: {} });
    const a = sealed('d-2', 'stripe');
    const b = sealed('d-3', 'stripe');

    // Act
    const routed = await withDefault.processor.handle(a.envelopeId, a.bytes);
    const refused = await withoutDefault.processor.handle(b.envelopeId, b.bytes);

    // Assess
    expect(routed).toBe('forwarded');
    expect(withDefault.target.requests).toHaveLength(1);
    expect(refused).toBe('failed');
    expect(withoutDefault.acks).toEqual([
      {
        envelopeId: b.envelopeId,
        statusCode: 0,
        attempts: 1,
        latencyMs: expect.any(Number),
        reason: 'no route for this source',
      },
    ]);
    expect(withoutDefault.target.requests).toHaveLength(0);
  });

  it('rejects a frame whose envelope id differs from the sealed one', async () => {
    const { processor, acks, target, logger } = await setup({ routes: { github: { target: 'TARGET' } } });
    const envelope = sealed('d-4');
    expect(await processor.handle('another-id', envelope.bytes)).toBe('rejected');
    expect(acks).toEqual([]);
    expect(target.requests).toEqual([]);
    expect(logger.lines[0]?.fields).toEqual({ envelopeId: 'another-id', code: 'envelope_id_mismatch' });
  });

  it('stops retrying when stopped and leaves the delivery un-acked', async () => {
    // Prepare
    const { processor, acks, target } = await setup({ routes: { github: { target: 'TARGET' } } }, () => ({
      status: 503,
    }));
    const envelope = sealed('d-5');

    // Act
    const handled = processor.handle(envelope.envelopeId, envelope.bytes);
    await target.waitForRequests(2);
    await processor.stop();

    // Assess
    expect(await handled).toBe('deferred');
    expect(acks).toEqual([]);
  });

  it('holds back the tunnel while too many envelopes are in hand', async () => {
    const { processor } = await setup({ routes: { github: { target: 'TARGET' } } }, () => ({
      status: 200,
      delayMs: 100,
    }));
    const envelope = sealed('d-6');
    expect(processor.belowLimit(1)).toBeUndefined();
    const handled = processor.handle(envelope.envelopeId, envelope.bytes);
    const wait = processor.belowLimit(1);
    expect(wait).toBeInstanceOf(Promise);
    await wait;
    expect(processor.inFlight).toBe(0);
    await handled;
  });
});
