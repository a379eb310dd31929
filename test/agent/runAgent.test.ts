import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readAgentConfig, writeAgentConfig } from '../../agent/config/agentConfigFile.ts';
import { agentPaths } from '../../agent/home/agentPaths.ts';
import { type RunningAgent, runAgent } from '../../agent/runAgent.ts';
import { chunkEnvelope } from '../../lambdas/core/delivery/chunkEnvelope.ts';
import { topicsFor } from '../../lambdas/core/delivery/topics.ts';
import { closedPort } from '../support/iotCoreStandIn.ts';
import { MemoryLogger } from '../support/MemoryLogger.ts';
import { RecordingTarget } from '../support/RecordingTarget.ts';
import { TestEdge } from '../support/testEdge.ts';
import { githubRequest, registeredAgent, tempAgentDir } from './agentFixtures.ts';

const FAST_RECONNECT = { baseMs: 50, maxMs: 300 };

describe('runAgent against a real edge broker', () => {
  let edge: TestEdge;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    edge = await TestEdge.start();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await edge.close();
  });

  async function startAgent(
    agentId: string,
    target: RecordingTarget | string,
    options: { headers?: Record<string, string>; forwarding?: Record<string, number>; dir?: string } = {},
  ): Promise<{ agent: RunningAgent; logger: MemoryLogger; dir: string }> {
    let dir = options.dir;
    if (!dir) {
      const home = tempAgentDir();
      cleanups.push(home.remove);
      dir = home.dir;
      const url = typeof target === 'string' ? target : target.url('/hooks/github');
      await registeredAgent(edge, dir, agentId, (config) => ({
        ...config,
        routes: { github: { target: url, ...(options.headers ? { headers: options.headers } : {}) } },
        forwarding: { ...config.forwarding, retryBaseMs: 20, retryMaxMs: 200, ...options.forwarding },
      }));
    }
    const logger = new MemoryLogger();
    const agent = await runAgent({ dir, logger, reconnect: FAST_RECONNECT });
    cleanups.push(() => agent.stop().then(() => undefined));
    await agent.tunnel.waitReady();
    await edge.waitFor(() => edge.isConnected(agentId), 10_000, 'agent session');
    return { agent, logger, dir };
  }

  async function startTarget(reply?: Parameters<typeof RecordingTarget.start>[0]) {
    const target = await RecordingTarget.start(reply);
    cleanups.push(() => target.close());
    return target;
  }

  it('forwards a sealed webhook byte for byte with Idempotency-Key, route headers and the original query', async () => {
    // Prepare
    const target = await startTarget();
    await startAgent('fwd-agent', target, { headers: { Authorization: 'Bearer openclaw-token' } });
    const body = Buffer.from('{"action":"opened","text":"caf\\u00e9 \u00e9\r\n"}\n  ', 'utf8');
    const request = githubRequest(body, {
      query: 'a=1&b=%2F',
      headers: {
        ...githubRequest(body).headers,
        connection: 'keep-alive',
        'transfer-encoding': 'chunked',
        host: 'ingress.example',
      },
    });

    // Act
    const envelopeId = await edge.deliver('fwd-agent', { sourceId: 'github', deliveryId: 'gh-1', request });
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');

    // Assess
    expect(target.requests).toHaveLength(1);
    const received = target.requests[0]!;
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/hooks/github?a=1&b=%2F');
    expect(received.body.equals(body)).toBe(true);
    expect(received.headers['idempotency-key']).toBe('gh-1');
    expect(received.headers['x-clawpulsar-delivery']).toBe(envelopeId);
    expect(received.headers.authorization).toBe('Bearer openclaw-token');
    expect(received.headers['x-hub-signature-256']).toBe(request.headers['x-hub-signature-256']);
    expect(received.headers['x-github-delivery']).toBe(request.headers['x-github-delivery']);
    expect(received.headers['content-length']).toBe(String(body.byteLength));
    expect(received.headers.host).toBe(`127.0.0.1:${target.port}`);
    expect(received.headers['transfer-encoding']).toBeUndefined();
    expect(edge.acksFor(envelopeId)).toEqual([
      { envelopeId, statusCode: 200, attempts: 1, latencyMs: expect.any(Number) },
    ]);
    expect(edge.acks.find((a) => a.ack.envelopeId === envelopeId)?.agentId).toBe('fwd-agent');
  });

  it('reassembles a chunked envelope before forwarding it', async () => {
    // Prepare
    const target = await startTarget();
    await startAgent('chunk-agent', target);
    const body = Buffer.alloc(300 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) & 0xff;
    const { envelopeId, sealed } = edge.seal('chunk-agent', {
      sourceId: 'github',
      deliveryId: 'big-1',
      request: githubRequest(body, { headers: { 'content-type': 'application/octet-stream' } }),
    });

    // Act
    await edge.publishEnvelope('chunk-agent', envelopeId, sealed);
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');

    // Assess
    expect(chunkEnvelope(envelopeId, sealed).length).toBeGreaterThan(3);
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]!.body.equals(body)).toBe(true);
    expect(edge.acksFor(envelopeId)[0]?.statusCode).toBe(200);
  });

  it('forwards a redelivered envelope once and acks it again, also after a restart', async () => {
    // Prepare
    const target = await startTarget();
    const first = await startAgent('dup-agent', target);
    const { envelopeId, sealed } = edge.seal('dup-agent', {
      sourceId: 'github',
      deliveryId: 'dup-1',
      request: githubRequest(Buffer.from('{"n":1}')),
    });

    // Act
    await edge.publishEnvelope('dup-agent', envelopeId, sealed);
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'first ack');
    await edge.publishEnvelope('dup-agent', envelopeId, sealed);
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 2, 10_000, 'second ack');
    await first.agent.stop();
    const second = await startAgent('dup-agent', target, { dir: first.dir });
    await edge.publishEnvelope('dup-agent', envelopeId, sealed);
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 3, 10_000, 'ack after restart');

    // Assess
    expect(target.requests).toHaveLength(1);
    expect(edge.acksFor(envelopeId).map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect(second.logger.events()).toContain('delivery_duplicate');
  });

  it('retries a 503 and acks only the 200 that follows', async () => {
    // Prepare
    const target = await startTarget((_r, index) => ({ status: index === 0 ? 503 : 200 }));
    await startAgent('retry-agent', target);

    // Act
    const envelopeId = await edge.deliver('retry-agent', {
      sourceId: 'github',
      deliveryId: 'r-1',
      request: githubRequest(Buffer.from('{}')),
    });
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');

    // Assess
    expect(target.requests).toHaveLength(2);
    expect(target.requests[1]!.headers['idempotency-key']).toBe('r-1');
    expect(edge.acksFor(envelopeId)).toEqual([
      { envelopeId, statusCode: 200, attempts: 2, latencyMs: expect.any(Number) },
    ]);
  });

  it('honours Retry-After on a 429', async () => {
    // Prepare
    const target = await startTarget((_r, index) =>
      index === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 202 },
    );
    await startAgent('ratelimit-agent', target, { forwarding: { retryMaxMs: 5_000 } });

    // Act
    const started = Date.now();
    const envelopeId = await edge.deliver('ratelimit-agent', {
      sourceId: 'github',
      deliveryId: 'rl-1',
      request: githubRequest(Buffer.from('{}')),
    });
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(edge.acksFor(envelopeId)[0]).toMatchObject({ statusCode: 202, attempts: 2 });
  });

  it('leaves a delivery un-acked when the target keeps failing past the local attempts', async () => {
    // Prepare
    const target = await startTarget(() => ({ status: 500 }));
    const { logger } = await startAgent('down-agent', target, { forwarding: { maxAttempts: 3 } });

    // Act
    const envelopeId = await edge.deliver('down-agent', {
      sourceId: 'github',
      deliveryId: 'down-1',
      request: githubRequest(Buffer.from('{}')),
    });
    await target.waitForRequests(3);
    await edge.waitFor(() => logger.events().includes('delivery_deferred'), 5_000, 'deferral');

    // Assess
    expect(edge.acksFor(envelopeId)).toEqual([]);
    expect(target.requests).toHaveLength(3);
  });

  it('acks a final 404 once, without retrying', async () => {
    // Prepare
    const target = await startTarget(() => ({ status: 404 }));
    await startAgent('notfound-agent', target);

    // Act
    const envelopeId = await edge.deliver('notfound-agent', {
      sourceId: 'github',
      deliveryId: 'nf-1',
      request: githubRequest(Buffer.from('{}')),
    });
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Assess
    expect(target.requests).toHaveLength(1);
    expect(edge.acksFor(envelopeId)).toEqual([
      { envelopeId, statusCode: 404, attempts: 1, latencyMs: expect.any(Number) },
    ]);
  });

  it('keeps retrying while the target refuses connections and delivers once it is up', async () => {
    // Prepare
    const port = await freePort();
    await startAgent('refused-agent', `http://127.0.0.1:${port}/hooks/github`, {
      forwarding: { maxAttempts: 50 },
    });
    const envelopeId = await edge.deliver('refused-agent', {
      sourceId: 'github',
      deliveryId: 'cr-1',
      request: githubRequest(Buffer.from('{"late":true}')),
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(edge.acksFor(envelopeId)).toEqual([]);

    // Act
    const target = await RecordingTarget.start(() => ({ status: 200 }), port);
    cleanups.push(() => target.close());
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');

    // Assess
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]!.body.toString()).toBe('{"late":true}');
    expect(edge.acksFor(envelopeId)[0]!.statusCode).toBe(200);
    expect(edge.acksFor(envelopeId)[0]!.attempts).toBeGreaterThan(1);
  });

  it('refuses a target outside the allowlist before opening any connection, and acks 0', async () => {
    // Prepare
    const sockets: string[] = [];
    const onSocket = (message: unknown) => {
      const socket = (message as { socket: Socket }).socket;
      socket.once('connect', () => sockets.push(socket.remoteAddress ?? ''));
      sockets.push(`created`);
    };
    await startAgent('allow-agent', 'http://10.0.0.1:9/hooks/github');
    subscribe('net.client.socket', onSocket);
    cleanups.push(() => {
      unsubscribe('net.client.socket', onSocket);
    });

    // Act
    const envelopeId = await edge.deliver('allow-agent', {
      sourceId: 'github',
      deliveryId: 'al-1',
      request: githubRequest(Buffer.from('{}')),
    });
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');

    // Assess
    const ack = edge.acksFor(envelopeId)[0]!;
    expect(ack.statusCode).toBe(0);
    expect(ack.reason).toContain('10.0.0.1');
    expect(sockets.filter((s) => s === 'created' || s === '10.0.0.1')).toEqual([]);
  });

  it('ignores an envelope addressed to another agent or sealed to another key: nothing forwarded, nothing acked', async () => {
    // Prepare
    const target = await startTarget();
    const { logger } = await startAgent('own-agent', target);
    await registeredAgent(edge, tempAgentDirCleanup(cleanups), 'other-agent');
    const forOther = edge.seal('own-agent', {
      sourceId: 'github',
      deliveryId: 'x-1',
      sealedFor: 'other-agent',
      request: githubRequest(Buffer.from('{}')),
    });
    const toOtherKey = edge.seal('other-agent', {
      sourceId: 'github',
      deliveryId: 'x-2',
      sealedFor: 'own-agent',
      request: githubRequest(Buffer.from('{}')),
    });

    // Act
    await edge.publishEnvelope('own-agent', forOther.envelopeId, forOther.sealed);
    await edge.publishEnvelope('own-agent', toOtherKey.envelopeId, toOtherKey.sealed);
    const control = await edge.deliver('own-agent', {
      sourceId: 'github',
      deliveryId: 'x-3',
      request: githubRequest(Buffer.from('{}')),
    });
    await edge.waitFor(() => edge.acksFor(control).length === 1, 10_000, 'control ack');

    // Assess
    expect(edge.acksFor(forOther.envelopeId)).toEqual([]);
    expect(edge.acksFor(toOtherKey.envelopeId)).toEqual([]);
    expect(target.requests).toHaveLength(1);
    const rejected = logger.lines.filter((l) => l.event === 'envelope_rejected').map((l) => l.fields?.code);
    expect(rejected).toEqual(['wrong_agent', 'decrypt_failed']);
  });

  it('logs and ignores garbage frames and stays up', async () => {
    // Prepare
    const target = await startTarget();
    const { logger } = await startAgent('garbage-agent', target);
    const deliveries = topicsFor('garbage-agent').deliveries;

    // Act
    await edge.broker.publish(deliveries, Buffer.from('not a frame'));
    await edge.broker.publish(deliveries, Buffer.alloc(0));
    await edge.broker.publish(deliveries, chunkEnvelope('junk', Buffer.from('not an envelope at all'))[0]!);
    const envelopeId = await edge.deliver('garbage-agent', {
      sourceId: 'github',
      deliveryId: 'g-1',
      request: githubRequest(Buffer.from('{}')),
    });
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');

    // Assess
    expect(logger.events().filter((e) => e === 'frame_rejected')).toHaveLength(2);
    expect(logger.lines.find((l) => l.event === 'envelope_rejected')?.fields).toMatchObject({
      envelopeId: 'junk',
    });
    expect(target.requests).toHaveLength(1);
  });

  it('reconnects after the broker goes away and keeps delivering', async () => {
    // Prepare
    const target = await startTarget();
    const { agent, logger } = await startAgent('reconnect-agent', target);

    // Act
    await edge.stopBroker();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await edge.startBroker();
    await edge.waitFor(() => edge.isConnected('reconnect-agent'), 10_000, 'reconnection');
    await agent.tunnel.waitReady();
    const envelopeId = await edge.deliver('reconnect-agent', {
      sourceId: 'github',
      deliveryId: 'rc-1',
      request: githubRequest(Buffer.from('{}')),
    });
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');

    // Assess
    expect(logger.events()).toContain('tunnel_disconnected');
    expect(logger.events().filter((e) => e === 'tunnel_connected').length).toBeGreaterThanOrEqual(2);
    expect(target.requests).toHaveLength(1);
  });

  it('connects where its config moves the tunnel while it waits to reconnect, and delivers there', async () => {
    // Prepare: the tunnel points at a closed port, and the next try is a minute away.
    const target = await startTarget();
    const home = tempAgentDir();
    cleanups.push(home.remove);
    const closed = await closedPort();
    await registeredAgent(edge, home.dir, 'moved-agent', (config) => ({
      ...config,
      routes: { github: { target: target.url('/hooks/github') } },
      tunnel: { ...config.tunnel, port: closed },
    }));
    const logger = new MemoryLogger();
    const agent = await runAgent({ dir: home.dir, logger, reconnect: { baseMs: 60_000, maxMs: 60_000 } });
    cleanups.push(() => agent.stop().then(() => undefined));
    await edge.waitFor(() => logger.events().includes('tunnel_reconnecting'), 10_000, 'a failed connect');
    const paths = agentPaths(home.dir);

    // Act
    const config = readAgentConfig(paths);
    writeAgentConfig(paths, { ...config, tunnel: { ...config.tunnel, port: edge.brokerPort } });
    const moved = Date.now();
    await edge.waitFor(() => edge.isConnected('moved-agent'), 10_000, 'agent session on the new port');
    const connectedAfterMs = Date.now() - moved;
    await agent.tunnel.waitReady();
    const envelopeId = await edge.deliver('moved-agent', {
      sourceId: 'github',
      deliveryId: 'mv-1',
      request: githubRequest(Buffer.from('{}')),
    });
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');

    // Assess: the config poll (1 s) and a handshake, not the minute of backoff.
    expect(connectedAfterMs).toBeLessThan(5_000);
    expect(agent.tunnel.endpoint).toEqual({ ...config.tunnel, port: edge.brokerPort });
    expect(logger.lines).toContainEqual({
      level: 'info',
      event: 'tunnel_endpoint_changed',
      fields: { broker: `127.0.0.1:${edge.brokerPort}`, alpn: null },
    });
    expect(logger.events().filter((e) => e === 'tunnel_reconnecting')).toHaveLength(1);
    expect(target.requests).toHaveLength(1);
  });

  it('receives what the broker kept in its session while the agent was offline', async () => {
    // Prepare
    const target = await startTarget();
    const first = await startAgent('offline-agent', target);
    await first.agent.stop();
    await edge.waitFor(() => !edge.isConnected('offline-agent'), 10_000, 'disconnect');

    // Act
    const envelopeId = await edge.deliver('offline-agent', {
      sourceId: 'github',
      deliveryId: 'off-1',
      request: githubRequest(Buffer.from('{"while":"offline"}')),
    });
    const second = await startAgent('offline-agent', target, { dir: first.dir });
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');

    // Assess
    expect(second.logger.lines.find((l) => l.event === 'tunnel_connected')?.fields?.sessionPresent).toBe(
      true,
    );
    expect(target.requests.map((r) => r.body.toString())).toEqual(['{"while":"offline"}']);
  });

  it('stops with "revoked" when the edge says so', async () => {
    // Prepare
    const target = await startTarget();
    const { agent, logger } = await startAgent('revoked-agent', target);

    // Act
    await edge.broker.publish(
      topicsFor('revoked-agent').control,
      Buffer.from(JSON.stringify({ type: 'revoked', at: Date.now() })),
    );

    // Assess
    await expect(agent.done).resolves.toBe('revoked');
    expect(logger.events()).toContain('agent_revoked');
  });

  it('says what to do when the edge refuses its certificate, and keeps trying', async () => {
    // Prepare
    const target = await startTarget();
    const { agent, logger } = await startAgent('refused-cert-agent', target);
    edge.refused.add('refused-cert-agent');

    // Act
    edge.broker.disconnect('refused-cert-agent');
    await edge.waitFor(() => logger.events().includes('tunnel_refused'), 10_000, 'refusal');
    edge.refused.delete('refused-cert-agent');
    await edge.waitFor(() => edge.isConnected('refused-cert-agent'), 10_000, 'reconnection');
    await agent.tunnel.waitReady();

    // Assess
    const refusal = logger.lines.find((l) => l.event === 'tunnel_refused');
    expect(refusal?.level).toBe('error');
    expect(String(refusal?.fields?.next)).toContain('clawpulsar token create');
    expect(agent.tunnel.connected).toBe(true);
  });

  it('never writes the body or route header values to its logs or its home directory', async () => {
    // Prepare
    const canary = 'CANARY-6f1d2c9e-body';
    const headerCanary = 'CANARY-route-token-8812';
    const target = await startTarget((_r, index) => ({ status: index === 0 ? 503 : 404 }));
    const { agent, logger, dir } = await startAgent('canary-agent', target, {
      headers: { Authorization: `Bearer ${headerCanary}` },
    });

    // Act
    const envelopeId = await edge.deliver('canary-agent', {
      sourceId: 'github',
      deliveryId: 'c-1',
      request: githubRequest(Buffer.from(`{"secret":"${canary}"}`), { query: `token=${canary}` }),
    });
    await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');
    await agent.stop();

    // Assess
    expect(JSON.stringify(logger.lines)).not.toContain(canary);
    expect(JSON.stringify(logger.lines)).not.toContain(headerCanary);
    for (const name of readdirSync(dir)) {
      if (name === 'config.json') continue;
      expect(readFileSync(join(dir, name)).includes(canary)).toBe(false);
    }
    expect(JSON.stringify(edge.acks)).not.toContain(canary);
  });

  it('renews its certificate over the tunnel and reconnects with it without losing a delivery', async () => {
    // Prepare
    const target = await startTarget((_r, index) => ({ status: 200, delayMs: index === 0 ? 800 : 0 }));
    const { agent, dir } = await startAgent('renew-agent', target);
    const paths = agentPaths(dir);
    const before = { key: readFileSync(paths.tlsKey, 'utf8'), cert: readFileSync(paths.certificate, 'utf8') };
    const connectsBefore = edge.presence.filter((p) => p.agentId === 'renew-agent' && p.connected).length;
    const inFlight = await edge.deliver('renew-agent', {
      sourceId: 'github',
      deliveryId: 'rn-1',
      request: githubRequest(Buffer.from('{"during":"renewal"}')),
    });
    await target.waitForRequests(1).catch(() => undefined);

    // Act
    const renewed = await agent.renewCertificate();
    const after = await edge.deliver('renew-agent', {
      sourceId: 'github',
      deliveryId: 'rn-2',
      request: githubRequest(Buffer.from('{"after":"renewal"}')),
    });
    await edge.waitFor(
      () => edge.acksFor(inFlight).length === 1 && edge.acksFor(after).length === 1,
      10_000,
      'acks',
    );

    // Assess
    expect(renewed).toBe(true);
    expect(edge.csrBodies).toHaveLength(1);
    const csr = JSON.parse(edge.csrBodies[0]!) as { requestId: string; csrPem: string };
    expect(Object.keys(csr).sort()).toEqual(['csrPem', 'requestId']);
    expect(edge.csrBodies[0]).not.toContain('PRIVATE KEY');
    const key = readFileSync(paths.tlsKey, 'utf8');
    const cert = readFileSync(paths.certificate, 'utf8');
    expect(key).not.toBe(before.key);
    expect(cert).not.toBe(before.cert);
    expect(agent.credentials().certificatePem).toBe(cert);
    expect(statSync(paths.tlsKey).mode & 0o777).toBe(0o600);
    expect(
      readdirSync(dir).filter((n) => n.endsWith('.next') || n.endsWith('.tmp') || n === 'install.journal'),
    ).toEqual([]);
    expect(edge.presence.filter((p) => p.agentId === 'renew-agent' && p.connected).length).toBe(
      connectsBefore + 1,
    );
    expect(target.requests.map((r) => r.body.toString())).toEqual([
      '{"during":"renewal"}',
      '{"after":"renewal"}',
    ]);
  });
});

describe('runAgent certificate renewal when due', () => {
  it('sends a CSR once less than the configured fraction of the lifetime remains, and installs the reply', async () => {
    // Prepare
    const edge = await TestEdge.start({
      registrationValidity: (now) => ({ notBefore: now - 5_000, notAfter: now + 120_000 }),
    });
    const home = tempAgentDir();
    try {
      await registeredAgent(edge, home.dir, 'due-agent', (config) => ({
        ...config,
        renewal: { remainingFraction: 0.99, checkIntervalMs: 200, replyTimeoutMs: 5_000 },
      }));
      const logger = new MemoryLogger();
      const firstNotAfter = (
        await import('../../agent/credentials/AgentCredentials.ts')
      ).loadAgentCredentials(agentPaths(home.dir)).tls.notAfter;

      // Act
      const agent = await runAgent({ dir: home.dir, logger, reconnect: FAST_RECONNECT });
      try {
        await edge.waitFor(() => logger.events().includes('certificate_installed'), 15_000, 'renewal');
        await edge.waitFor(() => edge.presence.filter((p) => p.connected).length >= 2, 10_000, 'reconnect');

        // Assess
        expect(edge.csrBodies).toHaveLength(1);
        expect(agent.credentials().notAfter).toBeGreaterThan(firstNotAfter + 3_600_000);
      } finally {
        await agent.stop();
      }
    } finally {
      home.remove();
      await edge.close();
    }
  });
});

function tempAgentDirCleanup(cleanups: (() => void)[]): string {
  const home = tempAgentDir();
  cleanups.push(home.remove);
  return home.dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
