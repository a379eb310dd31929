import { randomBytes } from 'node:crypto';
import { createServer as createNetServer, connect as netConnect } from 'node:net';
import { type TLSSocket, connect as tlsConnect } from 'node:tls';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { generate, parser as mqttParser } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openEdgeDatabase } from '../../../lambdas/adapters/local/openEdgeDatabase.ts';
import { SqlitePresenceStore } from '../../../lambdas/adapters/local/SqlitePresenceStore.ts';
import { topicsFor } from '../../../lambdas/core/delivery/topics.ts';
import type { PresenceEvent } from '../../../lambdas/core/ports.ts';
import {
  TunnelBroker,
  type TunnelBrokerOptions,
  type TunnelPeer,
} from '../../../lambdas/edge/TunnelBroker.ts';
import { MemoryLogger } from '../../support/MemoryLogger.ts';
import {
  issueClient,
  issueServer,
  makeCa,
  removeCa,
  type TestCa,
  type TestCertificate,
} from '../../support/opensslCa.ts';
import { runCommand } from '../../support/runCommand.ts';

const LAPTOP = topicsFor('laptop');
const DESKTOP = topicsFor('desktop');

let ca: TestCa;
let foreignCa: TestCa;
let server: TestCertificate;
let laptop: TestCertificate;
let laptop2: TestCertificate;
let desktop: TestCertificate;
let expired: TestCertificate;
let foreign: TestCertificate;
let longLived: TestCertificate;
let noUriSan: TestCertificate;
let otherAgentsUri: TestCertificate;

beforeAll(() => {
  ca = makeCa('Edge CA');
  foreignCa = makeCa('Edge CA');
  server = issueServer(ca, ['127.0.0.1', 'localhost']);
  laptop = issueClient(ca, 'laptop');
  laptop2 = issueClient(ca, 'laptop');
  desktop = issueClient(ca, 'desktop');
  expired = issueClient(ca, 'laptop', { expired: true });
  foreign = issueClient(foreignCa, 'laptop');
  longLived = issueClient(ca, 'laptop', { days: 30 });
  noUriSan = issueClient(ca, 'laptop', { uri: null });
  otherAgentsUri = issueClient(ca, 'laptop', { uri: 'urn:clawpulsar:agent:desktop' });
});

afterAll(() => {
  removeCa(ca);
  removeCa(foreignCa);
});

interface Harness {
  readonly broker: TunnelBroker;
  readonly logger: MemoryLogger;
  readonly acks: Array<{ agentId: string; payload: Buffer }>;
  readonly csrs: Array<{ agentId: string; payload: Buffer }>;
  readonly presence: PresenceEvent[];
  /** Peers the authorize hook was asked about. */
  readonly asked: TunnelPeer[];
  /** Serial numbers the authorize hook reports as revoked. */
  readonly revoked: Set<string>;
}

const brokers: TunnelBroker[] = [];
const clients: MqttClient[] = [];
const sockets: TLSSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.end(true);
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
});

async function startBroker(overrides: Partial<TunnelBrokerOptions> = {}): Promise<Harness> {
  const logger = new MemoryLogger();
  const acks: Harness['acks'] = [];
  const csrs: Harness['csrs'] = [];
  const presence: PresenceEvent[] = [];
  const asked: TunnelPeer[] = [];
  const revoked = new Set<string>();
  const broker = await TunnelBroker.start({
    serverKeyPem: server.keyPem,
    serverCertPem: server.certPem,
    clientCaPem: ca.certPem,
    authorizeCertificate: async (peer) => {
      asked.push(peer);
      return !revoked.has(peer.serialNumber);
    },
    onAck: (agentId, payload) => {
      acks.push({ agentId, payload: Buffer.from(payload) });
    },
    onCsr: (agentId, payload) => {
      csrs.push({ agentId, payload: Buffer.from(payload) });
    },
    onPresence: (event) => {
      presence.push(event);
    },
    logger,
    ...overrides,
  });
  brokers.push(broker);
  return { broker, logger, acks, csrs, presence, asked, revoked };
}

function clientOptions(
  certificate: TestCertificate,
  clientId: string,
  extra: IClientOptions = {},
): IClientOptions {
  return {
    clientId,
    key: certificate.keyPem,
    cert: certificate.certPem,
    ca: ca.certPem,
    clean: false,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    protocolVersion: 4,
    ...extra,
  };
}

/** Connects with mqtt.js; rejects with the CONNACK or TLS error when refused. */
function connectAgent(
  harness: Harness,
  certificate: TestCertificate,
  clientId: string,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  const client = mqtt.connect(
    `mqtts://127.0.0.1:${harness.broker.port}`,
    clientOptions(certificate, clientId, extra),
  );
  clients.push(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

/** Connects and subscribes to the agent's deliveries, as the agent does: the session can now receive. */
async function connectReceiving(
  harness: Harness,
  certificate: TestCertificate,
  clientId: string,
  extra: IClientOptions = {},
): Promise<MqttClient> {
  const client = await connectAgent(harness, certificate, clientId, extra);
  expect(await grantedQos(client, topicsFor(clientId).deliveries)).toBe(1);
  return client;
}

function closed(client: MqttClient): Promise<void> {
  return client.connected || client.reconnecting
    ? new Promise((resolve) => client.once('close', resolve))
    : Promise.resolve();
}

/** The QoS the broker granted for one filter (128 = refused). */
function grantedQos(client: MqttClient, filter: string): Promise<number> {
  return new Promise((resolve, reject) => {
    client.subscribe(filter, { qos: 1 }, (error, granted) => {
      const fromError = (error as { packet?: { granted?: Array<number | { qos: number }> } } | null)?.packet
        ?.granted?.[0];
      if (fromError !== undefined) resolve(typeof fromError === 'number' ? fromError : fromError.qos);
      else if (error) reject(error);
      else resolve(granted?.[0]?.qos ?? -1);
    });
  });
}

function nextMessage(client: MqttClient): Promise<{ topic: string; payload: Buffer; qos: number }> {
  return new Promise((resolve) => {
    client.once('message', (topic, payload, packet) => resolve({ topic, payload, qos: packet.qos }));
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function connectCode(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

/** A raw TLS connection with an agent certificate, for byte-level tests. */
function rawTls(harness: Harness, certificate: TestCertificate): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: harness.broker.port,
      key: certificate.keyPem,
      cert: certificate.certPem,
      ca: ca.certPem,
    });
    sockets.push(socket);
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function socketClosed(socket: TLSSocket | import('node:net').Socket): Promise<void> {
  return socket.destroyed
    ? Promise.resolve()
    : new Promise((resolve) => socket.once('close', () => resolve()));
}

const CONNACK_ACCEPTED = Buffer.from([0x20, 0x02, 0x00, 0x00]);

function connectPacket(clientId: string): Buffer {
  return generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 60,
    clientId,
  });
}

describe('TunnelBroker with mqtt.js agents', () => {
  it('delivers what the edge publishes to the agent subscribed to its own topic, byte for byte, at QoS 1', async () => {
    // Prepare
    const harness = await startBroker();
    const client = await connectAgent(harness, laptop, 'laptop');
    expect(await grantedQos(client, LAPTOP.deliveries)).toBe(1);
    const payload = randomBytes(100 * 1024);
    const received = nextMessage(client);
    // Act
    await harness.broker.publish(LAPTOP.deliveries, new Uint8Array(payload));
    // Assess
    const message = await received;
    expect(message.topic).toBe(LAPTOP.deliveries);
    expect(message.qos).toBe(1);
    expect(message.payload.equals(payload)).toBe(true);
  });

  it('hands acks to onAck with the agent id of the connection, whatever the payload claims', async () => {
    // Prepare
    const harness = await startBroker();
    const client = await connectAgent(harness, laptop, 'laptop');
    const payload = JSON.stringify({ envelopeId: 'e1', agentId: 'desktop', statusCode: 200 });
    // Act
    await client.publishAsync(LAPTOP.acks, payload, { qos: 1 });
    await waitFor(() => harness.acks.length === 1);
    // Assess
    expect(harness.acks[0]!.agentId).toBe('laptop');
    expect(harness.acks[0]!.payload.toString()).toBe(payload);
    expect(harness.csrs).toEqual([]);
  });

  it('hands certificate requests to onCsr with the agent id of the connection', async () => {
    // Prepare
    const harness = await startBroker();
    const client = await connectAgent(harness, laptop, 'laptop');
    // Act
    await client.publishAsync(LAPTOP.csr, '{"requestId":"r1","csrPem":"x"}', { qos: 1 });
    await waitFor(() => harness.csrs.length === 1);
    // Assess
    expect(harness.csrs[0]).toEqual({
      agentId: 'laptop',
      payload: Buffer.from('{"requestId":"r1","csrPem":"x"}'),
    });
    expect(harness.acks).toEqual([]);
  });

  it('grants the agent its own four subscribe topics and refuses every other filter', async () => {
    // Prepare
    const harness = await startBroker();
    const client = await connectAgent(harness, laptop, 'laptop');
    const refused = [
      '#',
      '+/+/+',
      'clawpulsar/#',
      'clawpulsar/+/deliveries',
      'clawpulsar/laptop/#',
      'clawpulsar/laptop/+',
      DESKTOP.deliveries,
      DESKTOP.alerts,
      LAPTOP.acks,
      '$SYS/#',
    ];
    // Act
    const ownGrants = [];
    for (const topic of [LAPTOP.deliveries, LAPTOP.alerts, LAPTOP.control, LAPTOP.issued]) {
      ownGrants.push(await grantedQos(client, topic));
    }
    const otherGrants = [];
    for (const filter of refused) otherGrants.push(await grantedQos(client, filter));
    // Assess
    expect(ownGrants).toEqual([1, 1, 1, 1]);
    expect(otherGrants).toEqual(refused.map(() => 128));
    expect(harness.logger.events().filter((e) => e === 'tunnel_subscribe_refused')).toHaveLength(
      refused.length,
    );
  });

  it('never forwards another agent’s deliveries, even while both are connected', async () => {
    // Prepare
    const harness = await startBroker();
    const laptopClient = await connectAgent(harness, laptop, 'laptop');
    const desktopClient = await connectAgent(harness, desktop, 'desktop');
    await grantedQos(laptopClient, LAPTOP.deliveries);
    await grantedQos(laptopClient, 'clawpulsar/+/deliveries');
    await grantedQos(desktopClient, DESKTOP.deliveries);
    const laptopGot: string[] = [];
    laptopClient.on('message', (topic) => laptopGot.push(topic));
    const desktopGot = nextMessage(desktopClient);
    // Act
    await harness.broker.publish(DESKTOP.deliveries, Buffer.from('for desktop'));
    await harness.broker.publish(DESKTOP.alerts, Buffer.from('for desktop'));
    // Assess
    expect((await desktopGot).payload.toString()).toBe('for desktop');
    await sleep(200);
    expect(laptopGot).toEqual([]);
  });

  it.each([
    ['another agent’s acks', DESKTOP.acks],
    ['another agent’s csr', DESKTOP.csr],
    ['its own deliveries', LAPTOP.deliveries],
    ['its own alerts', LAPTOP.alerts],
    ['its own cert/issued', LAPTOP.issued],
    ['a $SYS topic', '$SYS/broker/new/clients'],
    ['a topic outside clawpulsar', 'other/topic'],
  ])('closes the connection of an agent publishing to %s, and hands nothing on', async (_name, topic) => {
    // Prepare
    const harness = await startBroker();
    const client = await connectAgent(harness, laptop, 'laptop');
    const gone = closed(client);
    // Act
    client.publish(topic, '{"envelopeId":"e1"}', { qos: 1 }, () => {});
    await gone;
    // Assess
    expect(harness.acks).toEqual([]);
    expect(harness.csrs).toEqual([]);
    expect(harness.logger.lines).toContainEqual({
      level: 'warn',
      event: 'tunnel_publish_refused',
      fields: { agentId: 'laptop', topic },
    });
  });

  it('refuses a client id other than the certificate’s agent id with CONNACK "not authorized"', async () => {
    // Prepare
    const harness = await startBroker();
    // Act
    const refusal = await connectAgent(harness, laptop, 'desktop').catch((error: unknown) => error);
    // Assess
    expect(connectCode(refusal)).toBe(5);
    expect(harness.asked).toEqual([]);
    expect(harness.presence).toEqual([]);
    expect(harness.logger.lines).toContainEqual({
      level: 'warn',
      event: 'tunnel_refused',
      fields: { agentId: 'laptop', reason: 'client_id_mismatch' },
    });
  });

  it('refuses an empty client id (which the broker would otherwise make up)', async () => {
    // Prepare
    const harness = await startBroker();
    // Act
    const refusal = await connectAgent(harness, laptop, '', { clean: true }).catch((error: unknown) => error);
    // Assess
    expect(connectCode(refusal)).toBe(5);
  });

  it('asks the authorize hook with the certificate’s identity, and refuses what it refuses (revocation)', async () => {
    // Prepare
    const harness = await startBroker();
    harness.revoked.add(laptop.serialNumber);
    // Act
    const refusal = await connectAgent(harness, laptop, 'laptop').catch((error: unknown) => error);
    const accepted = await connectAgent(harness, laptop2, 'laptop');
    // Assess
    expect(connectCode(refusal)).toBe(5);
    expect(accepted.connected).toBe(true);
    expect(harness.asked).toEqual([
      { agentId: 'laptop', serialNumber: laptop.serialNumber, notAfter: laptop.notAfter },
      { agentId: 'laptop', serialNumber: laptop2.serialNumber, notAfter: laptop2.notAfter },
    ]);
  });

  it('refuses when the authorize hook throws, logging only the error code', async () => {
    // Prepare
    const harness = await startBroker({
      authorizeCertificate: () => {
        throw Object.assign(new Error('database said secret-canary'), { code: 'SQLITE_BUSY' });
      },
    });
    // Act
    const refusal = await connectAgent(harness, laptop, 'laptop').catch((error: unknown) => error);
    // Assess
    expect(connectCode(refusal)).toBe(5);
    expect(harness.logger.lines).toContainEqual({
      level: 'error',
      event: 'tunnel_authorize_failed',
      fields: { agentId: 'laptop', error: 'SQLITE_BUSY' },
    });
    expect(JSON.stringify(harness.logger.lines)).not.toContain('secret-canary');
  });

  it('ignores username and password: only the certificate and the hook decide', async () => {
    // Prepare
    const harness = await startBroker();
    harness.revoked.add(laptop.serialNumber);
    // Act
    const revokedWithPassword = await connectAgent(harness, laptop, 'laptop', {
      username: 'laptop',
      password: 'anything',
    }).catch((error: unknown) => error);
    const validWithNonsense = await connectAgent(harness, desktop, 'desktop', {
      username: 'admin',
      password: '',
    });
    // Assess
    expect(connectCode(revokedWithPassword)).toBe(5);
    expect(validWithNonsense.connected).toBe(true);
  });

  it.each([
    ['valid for 30 days (over the 24 h policy)', () => longLived, 'lifetime_exceeds_policy'],
    ['without the agent URI SAN', () => noUriSan, 'identity_invalid'],
    ['whose URI SAN names another agent than its CN', () => otherAgentsUri, 'identity_mismatch'],
  ])('refuses a certificate from our own CA %s', async (_name, certificate, reason) => {
    // Prepare
    const harness = await startBroker();
    // Act
    const refusal = await connectAgent(harness, certificate(), 'laptop').catch((error: unknown) => error);
    // Assess
    expect(connectCode(refusal)).toBe(5);
    expect(harness.asked).toEqual([]);
    expect(harness.logger.lines).toContainEqual({
      level: 'warn',
      event: 'tunnel_certificate_rejected',
      fields: { reason },
    });
  });

  it.each([
    ['an expired certificate', () => expired],
    ['a certificate from a foreign CA with the same name', () => foreign],
  ])('does not complete a connection with %s', async (_name, certificate) => {
    // Prepare
    const harness = await startBroker();
    // Act
    const refusal = await connectAgent(harness, certificate(), 'laptop').catch((error: unknown) => error);
    // Assess
    expect(refusal).toBeInstanceOf(Error);
    expect(connectCode(refusal)).not.toBe(0);
    expect(harness.asked).toEqual([]);
    expect(harness.presence).toEqual([]);
  });

  it.each([0, 5, 3600])('accepts keep-alive %i s, rather than refusing it', async (keepalive) => {
    // Prepare
    const harness = await startBroker();
    // Act
    const client = await connectAgent(harness, laptop, 'laptop', { keepalive });
    // Assess
    expect(client.connected).toBe(true);
  });

  it('keeps QoS 1 messages published while the agent is away and sends them when it reconnects', async () => {
    // Prepare
    const harness = await startBroker();
    const first = await connectAgent(harness, laptop, 'laptop');
    await grantedQos(first, LAPTOP.deliveries);
    await first.endAsync();
    await waitFor(() => !harness.broker.isConnected('laptop'));
    // Act
    for (const n of [1, 2, 3]) await harness.broker.publish(LAPTOP.deliveries, Buffer.from(`m${n}`));
    const got: string[] = [];
    const second = mqtt.connect(`mqtts://127.0.0.1:${harness.broker.port}`, clientOptions(laptop, 'laptop'));
    clients.push(second);
    second.on('message', (_topic, payload) => got.push(payload.toString()));
    await waitFor(() => got.length === 3);
    // Assess
    expect(got).toEqual(['m1', 'm2', 'm3']);
  });

  it('keeps at most offlineQueueLimit messages for an agent that is away, and says so once', async () => {
    // Prepare
    const harness = await startBroker({ offlineQueueLimit: 2 });
    const first = await connectAgent(harness, laptop, 'laptop');
    await grantedQos(first, LAPTOP.deliveries);
    await first.endAsync();
    await waitFor(() => !harness.broker.isConnected('laptop'));
    // Act
    for (const n of [1, 2, 3, 4]) await harness.broker.publish(LAPTOP.deliveries, Buffer.from(`m${n}`));
    const got: string[] = [];
    const second = mqtt.connect(`mqtts://127.0.0.1:${harness.broker.port}`, clientOptions(laptop, 'laptop'));
    clients.push(second);
    second.on('message', (_topic, payload) => got.push(payload.toString()));
    await waitFor(() => harness.broker.isConnected('laptop'));
    await sleep(200);
    await harness.broker.publish(LAPTOP.deliveries, Buffer.from('m5'));
    await waitFor(() => got.length === 3);
    // Assess
    expect(got).toEqual(['m1', 'm2', 'm5']);
    expect(harness.logger.events().filter((e) => e === 'tunnel_offline_queue_full')).toHaveLength(1);
  });

  it('logs a failing ack handler by error code only, and keeps serving the agent', async () => {
    // Prepare
    let calls = 0;
    const harness = await startBroker({
      onAck: () => {
        calls++;
        if (calls === 1) throw new TypeError('payload secret-canary');
      },
    });
    const client = await connectAgent(harness, laptop, 'laptop');
    // Act
    await client.publishAsync(LAPTOP.acks, 'one', { qos: 1 });
    await client.publishAsync(LAPTOP.acks, 'two', { qos: 1 });
    await waitFor(() => calls === 2);
    // Assess
    expect(client.connected).toBe(true);
    expect(harness.logger.lines).toContainEqual({
      level: 'error',
      event: 'tunnel_ack_handler_failed',
      fields: { agentId: 'laptop', error: 'TypeError' },
    });
    expect(JSON.stringify(harness.logger.lines)).not.toContain('secret-canary');
  });

  it('drops the agent’s will, so a broken connection publishes nothing in its name', async () => {
    // Prepare: a will on the one topic an agent may publish to
    const harness = await startBroker();
    const client = await connectAgent(harness, laptop, 'laptop', {
      will: { topic: LAPTOP.acks, payload: Buffer.from('will'), qos: 1, retain: false },
    });
    // Act
    client.stream.destroy();
    await waitFor(() => !harness.broker.isConnected('laptop'));
    await sleep(200);
    // Assess
    expect(harness.acks).toEqual([]);
  });

  it('refuses publishes to non-agent topics and wildcards, and all publishes once closed', async () => {
    // Prepare
    const harness = await startBroker();
    // Act + Assess
    await expect(harness.broker.publish('other/topic', Buffer.from('x'))).rejects.toMatchObject({
      code: 'invalid_tunnel_topic',
    });
    await expect(harness.broker.publish('clawpulsar/+/deliveries', Buffer.from('x'))).rejects.toMatchObject({
      code: 'invalid_tunnel_topic',
    });
    await expect(harness.broker.publish('clawpulsar/laptop', Buffer.from('x'))).rejects.toMatchObject({
      code: 'invalid_tunnel_topic',
    });
    await harness.broker.close();
    await expect(harness.broker.publish(LAPTOP.deliveries, Buffer.from('x'))).rejects.toMatchObject({
      code: 'tunnel_closed',
    });
  });
});

describe('TunnelBroker presence and revocation', () => {
  it('reports a new session connected once it subscribes to its deliveries, and its end with the same session id', async () => {
    // Prepare
    const harness = await startBroker();
    const before = Date.now();
    const client = await connectAgent(harness, laptop, 'laptop');
    await grantedQos(client, LAPTOP.alerts);
    await sleep(100);
    const beforeDeliveries = harness.presence.length;
    // Act
    await grantedQos(client, LAPTOP.deliveries);
    await waitFor(() => harness.presence.length === 1);
    await client.endAsync();
    await waitFor(() => harness.presence.length === 2);
    // Assess
    expect(beforeDeliveries).toBe(0);
    const [connected, disconnected] = harness.presence;
    expect(connected).toMatchObject({ agentId: 'laptop', connected: true });
    expect(disconnected).toMatchObject({
      agentId: 'laptop',
      connected: false,
      sessionId: connected!.sessionId,
    });
    expect(connected!.at).toBeGreaterThanOrEqual(before);
    expect(disconnected!.at).toBeGreaterThan(connected!.at);
    expect(harness.broker.connectedAgents()).toEqual([]);
  });

  it('reports a resumed session connected at once, its deliveries subscription being restored', async () => {
    // Prepare
    const harness = await startBroker();
    const first = await connectReceiving(harness, laptop, 'laptop');
    await first.endAsync();
    await waitFor(() => harness.presence.length === 2);
    // Act
    await connectAgent(harness, laptop, 'laptop');
    await waitFor(() => harness.presence.length === 3);
    // Assess
    expect(harness.presence[2]).toMatchObject({ agentId: 'laptop', connected: true });
    expect(harness.presence[2]!.sessionId).not.toBe(harness.presence[0]!.sessionId);
  });

  it('never reports a session that could not receive, neither its connect nor its end', async () => {
    // Prepare
    const harness = await startBroker();
    const client = await connectAgent(harness, laptop, 'laptop', { clean: true });
    await grantedQos(client, LAPTOP.control);
    // Act
    await client.endAsync();
    await waitFor(() => !harness.broker.isConnected('laptop'));
    await sleep(100);
    // Assess
    expect(harness.presence).toEqual([]);
  });

  it('on takeover by the same client id, ends with the new session connected and the old one closed', async () => {
    // Prepare
    const harness = await startBroker();
    const old = await connectReceiving(harness, laptop, 'laptop');
    const oldGone = closed(old);
    // Act
    const current = await connectAgent(harness, laptop2, 'laptop');
    await oldGone;
    await waitFor(() => harness.presence.length === 3);
    const received = nextMessage(current);
    await harness.broker.publish(LAPTOP.deliveries, Buffer.from('after takeover'));
    // Assess
    const [first, firstGone, second] = harness.presence;
    expect(first).toMatchObject({ connected: true });
    expect(firstGone).toMatchObject({ connected: false, sessionId: first!.sessionId });
    expect(second).toMatchObject({ connected: true });
    expect(second!.sessionId).not.toBe(first!.sessionId);
    expect(second!.at).toBeGreaterThan(firstGone!.at);
    expect(harness.broker.connectedAgents()).toEqual(['laptop']);
    expect((await received).payload.toString()).toBe('after takeover');
    await sleep(100);
    expect(harness.presence).toHaveLength(3);
  });

  it('keeps the agent online in the edge’s presence store through a takeover, even if events come late', async () => {
    // Prepare
    const store = new SqlitePresenceStore(openEdgeDatabase(':memory:'));
    const live = await startBroker({ onPresence: (event) => store.apply(event) });
    const recorded = await startBroker();
    const old = await connectReceiving(live, laptop, 'laptop');
    const oldGone = closed(old);
    const first = await connectReceiving(recorded, laptop, 'laptop');
    const firstGone = closed(first);
    // Act
    const current = await connectAgent(live, laptop2, 'laptop');
    await oldGone;
    await sleep(100);
    const onlineAfterTakeover = await store.isOnline('laptop');
    await connectAgent(recorded, laptop2, 'laptop');
    await firstGone;
    await waitFor(() => recorded.presence.length === 3);
    // the same three events into a fresh store, the replaced session's disconnect delivered last
    const replayStore = new SqlitePresenceStore(openEdgeDatabase(':memory:'));
    const [connect1, disconnect1, connect2] = recorded.presence;
    for (const event of [connect1!, connect2!, disconnect1!]) await replayStore.apply(event);
    await current.endAsync();
    await waitFor(() => !live.broker.isConnected('laptop'));
    await sleep(100);
    // Assess
    expect(onlineAfterTakeover).toBe(true);
    expect(await replayStore.isOnline('laptop')).toBe(true);
    expect(await store.isOnline('laptop')).toBe(false);
  });

  it('gives every connection its own session id and pairs each connect with one disconnect', async () => {
    // Prepare
    const harness = await startBroker();
    // Act
    for (let i = 0; i < 3; i++) {
      const client = await connectReceiving(harness, laptop, 'laptop');
      await waitFor(() => harness.presence.length === 2 * i + 1);
      await client.endAsync();
      await waitFor(() => harness.presence.length === 2 * (i + 1));
    }
    // Assess
    const sessions = harness.presence.filter((e) => e.connected).map((e) => e.sessionId);
    expect(new Set(sessions).size).toBe(3);
    for (const session of sessions) {
      expect(harness.presence.filter((e) => e.sessionId === session).map((e) => e.connected)).toEqual([
        true,
        false,
      ]);
    }
  });

  it('disconnect(agentId) closes the agent’s connection at once; the revoked certificate can’t come back', async () => {
    // Prepare
    const harness = await startBroker();
    const client = await connectReceiving(harness, laptop, 'laptop');
    const other = await connectAgent(harness, desktop, 'desktop');
    const gone = closed(client);
    // Act
    harness.revoked.add(laptop.serialNumber);
    const count = harness.broker.disconnect('laptop');
    await gone;
    const retry = await connectAgent(harness, laptop, 'laptop').catch((error: unknown) => error);
    // Assess
    expect(count).toBe(1);
    expect(connectCode(retry)).toBe(5);
    await waitFor(() => harness.presence.some((e) => e.agentId === 'laptop' && !e.connected));
    expect(harness.broker.connectedAgents()).toEqual(['desktop']);
    expect(other.connected).toBe(true);
    expect(harness.broker.disconnect('nobody')).toBe(0);
  });

  it('applies its own keep-alive bounds: a silent agent asking for 1 s is not dropped at 1.5 s', async () => {
    // Prepare
    const harness = await startBroker();
    const socket = await rawTls(harness, laptop);
    socket.write(
      generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        keepalive: 1,
        clientId: 'laptop',
      }),
    );
    await waitFor(() => harness.broker.isConnected('laptop'));
    // Act
    await sleep(2_500);
    // Assess
    expect(socket.destroyed).toBe(false);
    expect(harness.broker.isConnected('laptop')).toBe(true);
  });

  it('closes an established connection when its certificate expires', async () => {
    // Prepare
    const harness = await startBroker();
    const shortLived = issueClient(ca, 'laptop', { notAfter: Date.now() + 3_000 });
    const client = await connectReceiving(harness, shortLived, 'laptop');
    const started = Date.now();
    // Act
    await closed(client);
    // Assess
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(harness.logger.events()).toContain('tunnel_certificate_expired');
    await waitFor(() => harness.presence.length === 2);
    expect(harness.presence[1]).toMatchObject({ agentId: 'laptop', connected: false });
  });
});

describe('TunnelBroker seen by outside clients (openssl s_client, mosquitto)', () => {
  const sClient = (port: number, args: readonly string[], input?: Buffer) =>
    runCommand(
      'openssl',
      ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', ca.certPath, '-quiet', ...args],
      {
        input: input ?? connectPacket('laptop'),
        timeoutMs: 5_000,
        until: (out) => out.includes(CONNACK_ACCEPTED),
      },
    );

  it('answers a CONNECT over s_client with a valid agent certificate (the control case)', async () => {
    // Prepare
    const harness = await startBroker();
    // Act
    const result = await sClient(harness.broker.port, ['-cert', laptop.certPath, '-key', laptop.keyPath]);
    // Assess
    expect(result.stdout.includes(CONNACK_ACCEPTED)).toBe(true);
  });

  it('fails the handshake without a client certificate: alert "certificate required" (TLS 1.3)', async () => {
    // Prepare
    const harness = await startBroker();
    // Act
    const result = await sClient(harness.broker.port, []);
    // Assess
    expect(result.stderr).toContain('alert certificate required');
    expect(result.code).not.toBe(0);
    expect(result.stdout.includes(CONNACK_ACCEPTED)).toBe(false);
  });

  it('fails the handshake without a client certificate: alert "handshake failure" (TLS 1.2)', async () => {
    // Prepare
    const harness = await startBroker();
    // Act
    const result = await sClient(harness.broker.port, ['-tls1_2']);
    // Assess
    expect(result.stderr).toContain('alert handshake failure');
    expect(result.code).not.toBe(0);
  });

  it('refuses TLS 1.1: alert "protocol version"', async () => {
    // Prepare
    const harness = await startBroker();
    // Act
    const result = await sClient(harness.broker.port, ['-tls1_1']);
    // Assess
    expect(result.stderr).toContain('alert protocol version');
    expect(result.code).not.toBe(0);
  });

  it.each([
    ['a foreign CA', () => foreign],
    ['our CA but expired', () => expired],
  ])('drops a client certificate from %s before a single MQTT byte', async (_name, certificate) => {
    // Prepare
    const harness = await startBroker();
    const cert = certificate();
    // Act
    const result = await sClient(harness.broker.port, ['-cert', cert.certPath, '-key', cert.keyPath]);
    // Assess
    expect(result.stopped).toBe(false);
    expect(result.code).not.toBe(0);
    expect(result.stdout.length).toBe(0);
    expect(harness.asked).toEqual([]);
  });

  it('mosquitto_sub with the agent’s certificate receives what the broker publishes to it', async () => {
    // Prepare
    const harness = await startBroker();
    const sub = runCommand(
      'mosquitto_sub',
      mosquittoArgs(harness, laptop, 'laptop', ['-t', LAPTOP.deliveries, '-q', '1', '-C', '1', '-W', '10']),
    );
    // Act: publish until the subscription is in place
    let done = false;
    void sub.then(() => {
      done = true;
    });
    while (!done) {
      await harness.broker.publish(LAPTOP.deliveries, Buffer.from('hello agent'));
      await sleep(50);
    }
    const result = await sub;
    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout.toString().trim()).toBe('hello agent');
  });

  it.each([
    ['another agent’s deliveries', DESKTOP.deliveries],
    ['everything (#)', '#'],
    ['every agent’s deliveries (clawpulsar/+/deliveries)', 'clawpulsar/+/deliveries'],
  ])(
    'mosquitto_sub with agent A’s certificate subscribing to %s is denied and gets nothing',
    async (_name, filter) => {
      // Prepare
      const harness = await startBroker();
      const publishing = setInterval(() => {
        void harness.broker.publish(DESKTOP.deliveries, Buffer.from('for desktop only')).catch(() => {});
      }, 20);
      // Act
      const result = await runCommand(
        'mosquitto_sub',
        mosquittoArgs(harness, laptop, 'laptop', ['-t', filter, '-q', '1', '-W', '3']),
      ).finally(() => clearInterval(publishing));
      // Assess
      expect(result.stderr).toContain('All subscription requests were denied');
      expect(result.stdout.toString()).toBe('');
    },
  );

  it('mosquitto_sub with a client id other than the certificate’s is refused: not authorised', async () => {
    // Prepare
    const harness = await startBroker();
    // Act
    const result = await runCommand(
      'mosquitto_sub',
      mosquittoArgs(harness, laptop, 'desktop', ['-t', DESKTOP.deliveries, '-q', '1', '-W', '3']),
    );
    // Assess
    expect(result.stderr).toContain('not authorised');
    expect(result.code).not.toBe(0);
  });

  it('mosquitto_sub with a certificate the hook reports as revoked is refused: not authorised', async () => {
    // Prepare
    const harness = await startBroker();
    harness.revoked.add(laptop.serialNumber);
    // Act
    const result = await runCommand(
      'mosquitto_sub',
      mosquittoArgs(harness, laptop, 'laptop', ['-t', LAPTOP.deliveries, '-q', '1', '-W', '3']),
    );
    // Assess
    expect(result.stderr).toContain('not authorised');
    expect(result.code).not.toBe(0);
  });

  it.each([
    ['a foreign CA', () => foreign],
    ['our CA but expired', () => expired],
  ])('mosquitto_sub with a certificate from %s cannot connect', async (_name, certificate) => {
    // Prepare
    const harness = await startBroker();
    // Act
    const result = await runCommand(
      'mosquitto_sub',
      mosquittoArgs(harness, certificate(), 'laptop', ['-t', LAPTOP.deliveries, '-q', '1', '-W', '3']),
    );
    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stdout.toString()).toBe('');
    expect(harness.presence).toEqual([]);
  });

  it('mosquitto_pub with agent A’s certificate never reaches onAck through agent B’s acks topic', async () => {
    // Prepare
    const harness = await startBroker();
    // Act
    const foreignAck = await runCommand(
      'mosquitto_pub',
      mosquittoArgs(harness, laptop, 'laptop', [
        '-t',
        DESKTOP.acks,
        '-q',
        '1',
        '-m',
        '{"envelopeId":"theirs"}',
      ]),
    );
    const ownAck = await runCommand(
      'mosquitto_pub',
      mosquittoArgs(harness, laptop, 'laptop', ['-t', LAPTOP.acks, '-q', '1', '-m', '{"envelopeId":"mine"}']),
    );
    await waitFor(() => harness.acks.length === 1);
    await sleep(100);
    // Assess
    expect(foreignAck.code).not.toBe(0);
    expect(ownAck.code).toBe(0);
    expect(harness.acks).toEqual([{ agentId: 'laptop', payload: Buffer.from('{"envelopeId":"mine"}') }]);
  });
});

describe('TunnelBroker robustness', () => {
  it.each([
    ['an HTTP request', () => Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')],
    ['random bytes', () => Buffer.concat([Buffer.from([0xff]), randomBytes(4095)])],
  ])(
    'closes a connection that sends %s after the handshake, and keeps serving others',
    async (_name, garbage) => {
      // Prepare
      const harness = await startBroker();
      const socket = await rawTls(harness, laptop);
      // Act
      socket.write(garbage());
      await socketClosed(socket);
      const client = await connectReceiving(harness, laptop, 'laptop');
      await waitFor(() => harness.presence.length === 1);
      // Assess
      expect(client.connected).toBe(true);
      expect(harness.presence[0]).toMatchObject({ agentId: 'laptop', connected: true });
      expect(harness.logger.events()).toContain('tunnel_connection_error');
    },
  );

  it('shrugs off plain-TCP garbage that is not TLS', async () => {
    // Prepare
    const harness = await startBroker();
    const socket = netConnect(harness.broker.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    // Act
    socket.write(randomBytes(2048));
    await socketClosed(socket);
    const client = await connectAgent(harness, laptop, 'laptop');
    // Assess
    expect(client.connected).toBe(true);
    expect(harness.logger.events()).toContain('tunnel_tls_rejected');
  });

  it('closes a connection as soon as it announces a packet over the inbound limit, before its body', async () => {
    // Prepare
    const harness = await startBroker();
    const socket = await rawTls(harness, laptop);
    const packets: string[] = [];
    const parse = mqttParser();
    parse.on('packet', (packet) => packets.push(packet.cmd));
    socket.on('data', (chunk: Buffer) => parse.parse(chunk));
    socket.write(connectPacket('laptop'));
    await waitFor(() => packets.includes('connack'));
    const header = generate({
      cmd: 'publish',
      topic: LAPTOP.acks,
      payload: Buffer.alloc(300 * 1024),
      qos: 0,
      dup: false,
      retain: false,
    }).subarray(0, 64);
    // Act
    socket.write(header);
    await socketClosed(socket);
    // Assess
    expect(harness.acks).toEqual([]);
    expect(harness.logger.lines).toContainEqual({
      level: 'info',
      event: 'tunnel_client_error',
      fields: { agentId: 'laptop', error: 'MQTT packet over the 262144-byte inbound limit' },
    });
  });

  it('closes a connection whose very first packet announces 200 MB', async () => {
    // Prepare
    const harness = await startBroker();
    const socket = await rawTls(harness, laptop);
    const started = Date.now();
    // Act: CONNECT, remaining length 200 MB (variable-length encoding), nothing else
    socket.write(Buffer.from([0x10, 0x80, 0x80, 0xe8, 0x5f]));
    await socketClosed(socket);
    // Assess: at once, not at the 10 s connect timeout
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(harness.presence).toEqual([]);
  });

  it('accepts a packet just under the inbound limit', async () => {
    // Prepare
    const harness = await startBroker({ maxInboundPacketBytes: 64 * 1024 });
    const client = await connectAgent(harness, laptop, 'laptop');
    const payload = randomBytes(64 * 1024 - 200);
    // Act
    await client.publishAsync(LAPTOP.acks, payload, { qos: 1 });
    await waitFor(() => harness.acks.length === 1);
    // Assess
    expect(harness.acks[0]!.payload.equals(payload)).toBe(true);
  });

  it('survives rapid connects and disconnects, leaving no agent online and every session paired', async () => {
    // Prepare
    const harness = await startBroker();
    const identities: Array<[TestCertificate, string]> = [
      [laptop, 'laptop'],
      [laptop2, 'laptop'],
      [desktop, 'desktop'],
    ];
    // Act
    const attempts = Array.from({ length: 30 }, async (_, i) => {
      const [certificate, id] = identities[i % identities.length]!;
      const client = mqtt.connect(`mqtts://127.0.0.1:${harness.broker.port}`, clientOptions(certificate, id));
      clients.push(client);
      const subscribed = new Promise((resolve) =>
        client.subscribe(topicsFor(id).deliveries, { qos: 1 }, resolve),
      );
      // Every fourth stays until it can receive; the rest leave at some point of their handshake.
      if (i % 4 === 0) await subscribed;
      else await new Promise((resolve) => setTimeout(resolve, (i % 6) * 4));
      client.end(true);
    });
    const aborted = Array.from({ length: 10 }, () => {
      const socket = netConnect(harness.broker.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.once('connect', () => socket.destroy());
      return socketClosed(socket);
    });
    await Promise.all([...attempts, ...aborted]);
    await waitFor(() => harness.broker.connectedAgents().length === 0);
    await sleep(300);
    const finished = [...harness.presence];
    const client = await connectReceiving(harness, desktop, 'desktop');
    await waitFor(() => harness.presence.length === finished.length + 1);
    // Assess
    expect(client.connected).toBe(true);
    expect(finished.some((e) => e.connected)).toBe(true);
    for (const event of finished.filter((e) => e.connected)) {
      expect(finished.filter((e) => e.sessionId === event.sessionId).map((e) => e.connected)).toEqual([
        true,
        false,
      ]);
    }
    expect(
      finished
        .filter((e) => !e.connected)
        .every((d) => finished.some((c) => c.connected && c.sessionId === d.sessionId)),
    ).toBe(true);
  });

  it('close() ends every connection and releases the port; a second close() is harmless', async () => {
    // Prepare
    const harness = await startBroker();
    const client = await connectReceiving(harness, laptop, 'laptop');
    const gone = closed(client);
    const handshaking = netConnect(harness.broker.port, '127.0.0.1');
    handshaking.on('error', () => {});
    await new Promise((resolve) => handshaking.once('connect', resolve));
    const port = harness.broker.port;
    // Act
    await harness.broker.close();
    await harness.broker.close();
    await gone;
    await socketClosed(handshaking);
    // Assess
    expect(harness.presence.map((e) => e.connected)).toEqual([true, false]);
    const reuse = createNetServer();
    await new Promise<void>((resolve, reject) => {
      reuse.once('error', reject);
      reuse.listen(port, '127.0.0.1', () => resolve());
    });
    await new Promise((resolve) => reuse.close(resolve));
  });
});

describe('TunnelBroker.start', () => {
  it.each([
    ['a port out of range', { port: 70_000 }, 'port'],
    ['no ack handler', { onAck: undefined }, 'onAck'],
    ['an empty CA', { clientCaPem: '' }, 'clientCaPem'],
    ['a logger without levels', { logger: {} }, 'logger'],
    ['a tiny packet limit', { maxInboundPacketBytes: 10 }, 'maxInboundPacketBytes'],
  ])('refuses %s', async (_name, override, option) => {
    // Prepare
    const options = {
      serverKeyPem: server.keyPem,
      serverCertPem: server.certPem,
      clientCaPem: ca.certPem,
      authorizeCertificate: () => true,
      onAck: () => {},
      onCsr: () => {},
      onPresence: () => {},
      logger: new MemoryLogger(),
      ...override,
    } as unknown as TunnelBrokerOptions;
    // Act + Assess
    await expect(TunnelBroker.start(options)).rejects.toMatchObject({
      code: 'invalid_tunnel_options',
      data: { option },
    });
  });

  it('refuses a CA that is not a certificate', async () => {
    await expect(startBroker({ clientCaPem: 'not a certificate' })).rejects.toMatchObject({ status: 400 });
  });

  it('rejects when the port is taken, without leaving anything running', async () => {
    // Prepare
    const first = await startBroker();
    // Act + Assess
    await expect(startBroker({ port: first.broker.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

function mosquittoArgs(
  harness: Harness,
  certificate: TestCertificate,
  clientId: string,
  rest: readonly string[],
): string[] {
  return [
    '-h',
    '127.0.0.1',
    '-p',
    String(harness.broker.port),
    '--cafile',
    ca.certPath,
    '--cert',
    certificate.certPath,
    '--key',
    certificate.keyPath,
    '-i',
    clientId,
    ...rest,
  ];
}
