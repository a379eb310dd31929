import { randomUUID } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { Aedes, type AuthErrorCode, type AuthenticateError, type Client } from 'aedes';
import { TOPIC_ROOT } from '../core/delivery/topics.ts';
import { ClawPulsarError } from '../core/errors.ts';
import { AgentCertificateRejectedError } from '../core/identity/AgentCertificateRejectedError.ts';
import { parseCertificate } from '../core/identity/parseCertificate.ts';
import { verifyAgentCertificate } from '../core/identity/verifyAgentCertificate.ts';
import type { Logger, TunnelPublisher } from '../core/ports.ts';
import type { AgentTopicGrants } from './AgentTopicGrants.ts';
import { errorCode } from './errorCode.ts';
import { keepAliveSeconds } from './keepAliveSeconds.ts';
import { PresenceReporter } from './PresenceReporter.ts';
import {
  type ResolvedTunnelBrokerOptions,
  resolveTunnelBrokerOptions,
  type TunnelBrokerOptions,
} from './TunnelBrokerOptions.ts';
import { TunnelConnection, type TunnelPeer } from './TunnelConnection.ts';

export type { TunnelBrokerOptions } from './TunnelBrokerOptions.ts';
export type { TunnelPeer } from './TunnelConnection.ts';

/** Time a client has to finish the TLS handshake, then again to send CONNECT. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** A client that stops reading is dropped after this, so it can't stall deliveries to the others. */
const DRAIN_TIMEOUT_MS = 30_000;

/** SUBACK return code for a refused subscription (MQTT 3.1.1 §3.9.3). */
const REFUSED_QOS = 128;

/** MQTT CONNACK return code 5 (MQTT 3.1.1 §3.2.2.3). */
const NOT_AUTHORIZED = 5 as AuthErrorCode;

const TOPIC_PREFIX = `${TOPIC_ROOT}/`;

/** setTimeout's largest delay; agent certificates live 24 h, far below it, but a longer one must not fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The local edge's tunnel: an in-process aedes MQTT broker behind mutual TLS (ARCHITECTURE §3.2, §3.3).
 *
 * - Only certificates from `clientCaPem` complete the TLS handshake (missing, foreign and expired ones
 *   fail there). The certificate is then read with the CA core's own rules (`verifyAgentCertificate`:
 *   one CN equal to the URI SAN `urn:clawpulsar:agent:<id>`, a client certificate within the 24 h
 *   policy); the MQTT client id must equal that agent id and `authorizeCertificate` must agree, otherwise
 *   CONNACK "not authorized". Username and password are ignored. A connection is closed when its
 *   certificate expires.
 * - Each agent may subscribe only to its own deliveries, alerts, control and cert/issued topics (exact
 *   names; wildcards get a failed SUBACK) and publish only to its own acks and cert/csr topics (anything
 *   else closes the connection). Wills are dropped and retain flags cleared: an agent leaves nothing
 *   behind in the broker.
 * - Messages to agents are QoS 1. Agents connect with `clean: false`, so what is published while an agent
 *   is briefly away waits in its session and goes out on reconnect. Sessions live in aedes' in-memory
 *   persistence, on purpose: the durable copy of every envelope is the edge's SQLite queue, which
 *   republishes until the agent acks, and presence triggers a flush on reconnect. A restart loses only
 *   these in-memory copies. Memory is bounded by `offlineQueueLimit` per disconnected agent.
 * - Presence: a session is reported connected once it can receive (its deliveries subscription restored
 *   or made) and disconnected when it ends, each with the connection's own session id, in order per agent.
 *
 * @example
 * const broker = await TunnelBroker.start({ serverKeyPem, serverCertPem, clientCaPem, authorizeCertificate,
 *   onAck, onCsr, onPresence, logger });
 * await broker.publish('clawpulsar/laptop/deliveries', chunk);
 * await broker.close();
 */
export class TunnelBroker implements TunnelPublisher {
  readonly host: string;
  readonly #options: ResolvedTunnelBrokerOptions;
  readonly #aedes: Aedes;
  readonly #server: Server;
  readonly #logger: Logger;
  readonly #presence: PresenceReporter;
  /** Raw sockets, including those still in the TLS handshake, so close() can end them all. */
  readonly #sockets = new Set<Socket>();
  /** Every identified connection per agent, authenticated or not yet: revocation closes them all. */
  readonly #connections = new Map<string, Set<TunnelConnection>>();
  /** The current, CONNACKed client of each agent. */
  readonly #ready = new Map<string, Client>();
  /** Clients whose connect was reported, so a disconnect is reported only after its connect. */
  readonly #announced = new WeakSet<Client>();
  /** Publishes made while the agent was not connected, since it last connected. */
  readonly #offlineCounts = new Map<string, number>();
  #closing: Promise<void> | undefined;

  private constructor(options: ResolvedTunnelBrokerOptions, aedes: Aedes, server: Server) {
    this.#options = options;
    this.host = options.host;
    this.#logger = options.logger;
    this.#presence = new PresenceReporter(options.onPresence, options.logger);
    this.#aedes = aedes;
    this.#server = server;
  }

  /**
   * Validates the options, starts aedes and listens. Rejects on bad options (500
   * `invalid_tunnel_options`), an unreadable CA certificate, a bad key/certificate pair or a port in use.
   */
  static async start(options: TunnelBrokerOptions): Promise<TunnelBroker> {
    const resolved = resolveTunnelBrokerOptions(options);
    // Fails here rather than on the first agent's connection.
    parseCertificate(resolved.clientCaPem);
    const server = createServer({
      key: resolved.serverKeyPem,
      cert: resolved.serverCertPem,
      ca: resolved.clientCaPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      // MQTT packets are small and answer each other (PUBLISH, PUBACK): Nagle's algorithm would hold
      // each one back until the peer's delayed ACK, about 40 ms per hop.
      noDelay: true,
    });
    const aedes = await Aedes.createBroker({
      connectTimeout: HANDSHAKE_TIMEOUT_MS,
      maxClientsIdLength: 64,
      maxTopicLevels: 8,
      drainTimeout: DRAIN_TIMEOUT_MS,
    });
    const broker = new TunnelBroker(resolved, aedes, server);
    broker.#wire();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(resolved.port, resolved.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      throw error;
    }
    server.on('error', (error) => broker.#logger.error('tunnel_server_error', { error: errorCode(error) }));
    return broker;
  }

  /** The bound TCP port. */
  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /**
   * Publishes to an agent topic with QoS 1; resolves once the broker has taken the message (written to
   * the connected agent, or kept in its session). The TunnelPublisher port.
   *
   * @example
   * await broker.publish(topicsFor('laptop').deliveries, chunk);
   */
  publish(topic: string, payload: Uint8Array): Promise<void> {
    if (this.#closing) {
      return Promise.reject(new ClawPulsarError('tunnel_closed', 'The tunnel broker is closed', 503));
    }
    const agentId = agentOfTopic(topic);
    if (agentId === undefined || topic.includes('+') || topic.includes('#')) {
      return Promise.reject(new ClawPulsarError('invalid_tunnel_topic', 'Not an agent topic', 500));
    }
    if (!this.#ready.has(agentId) && !this.#countOffline(agentId)) return Promise.resolve();
    const packet = {
      cmd: 'publish' as const,
      topic,
      payload: Buffer.isBuffer(payload)
        ? payload
        : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength),
      qos: 1 as const,
      retain: false,
      dup: false,
    };
    return new Promise((resolve, reject) => {
      this.#aedes.publish(packet, (error) => (error ? reject(error) : resolve()));
    });
  }

  /**
   * Closes every connection of `agentId` at once, connecting ones included (revocation). Returns how
   * many were closed. The agent's next CONNECT goes through `authorizeCertificate` again.
   */
  disconnect(agentId: string): number {
    const connections = this.#connections.get(agentId);
    if (!connections) return 0;
    const count = connections.size;
    for (const connection of connections) connection.destroy();
    return count;
  }

  /** Agents with a live, authorised MQTT session. */
  connectedAgents(): string[] {
    return [...this.#ready.keys()];
  }

  /** Whether `agentId` has a live, authorised MQTT session. */
  isConnected(agentId: string): boolean {
    return this.#ready.has(agentId);
  }

  /**
   * Stops listening, closes every client, socket and aedes, and waits until the presence handler has
   * seen every disconnect. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    const serverClosed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await new Promise<void>((resolve) => this.#aedes.close(() => resolve()));
    for (const connections of this.#connections.values()) {
      for (const connection of connections) connection.destroy();
    }
    for (const socket of this.#sockets) socket.destroy();
    await serverClosed;
    await this.#presence.settled();
  }

  #wire(): void {
    const aedes = this.#aedes;
    const server = this.#server;
    const logger = this.#logger;

    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('tlsClientError', (error) => logger.info('tunnel_tls_rejected', { error: errorCode(error) }));
    server.on('secureConnection', (socket: TLSSocket) => this.#accept(socket));

    aedes.preConnect = (_client, packet, callback) => {
      // Presence is the broker's job; a will could only ever reach the agent's own acks or CSR topic.
      packet.will = undefined;
      packet.keepalive = keepAliveSeconds(packet.keepalive ?? 0);
      callback(null, true);
    };
    aedes.authenticate = (client, _username, _password, done) => this.#authenticate(client, done);
    aedes.authorizeSubscribe = (client, subscription, callback) => {
      const grants = grantsOf(client);
      if (grants?.maySubscribe(subscription.topic)) {
        callback(null, subscription);
        return;
      }
      logger.warn('tunnel_subscribe_refused', { agentId: grants?.agentId, topic: clip(subscription.topic) });
      callback(null, null);
    };
    aedes.authorizePublish = (client, packet, callback) => {
      const grants = client ? grantsOf(client) : undefined;
      if (grants?.mayPublish(packet.topic)) {
        packet.retain = false;
        callback(null);
        return;
      }
      logger.warn('tunnel_publish_refused', { agentId: grants?.agentId, topic: clip(packet.topic) });
      callback(new Error('publish not authorized'));
    };
    aedes.authorizeForward = (client, packet) => (grantsOf(client)?.mayReceive(packet.topic) ? packet : null);
    aedes.published = (packet, client, callback) => {
      // The edge's own publishes (client null) are the hot path: nothing to do for them.
      const grants = client ? grantsOf(client) : undefined;
      if (grants === undefined) callback(null);
      else if (packet.topic === grants.acks) this.#hand('ack', grants.agentId, packet.payload, callback);
      else if (packet.topic === grants.csr) this.#hand('csr', grants.agentId, packet.payload, callback);
      else callback(null);
    };

    aedes.on('clientReady', (client) => {
      const connection = connectionOf(client);
      // A connection already gone by now never gets announced, so it can't be left "online".
      if (!connection?.peer || connection.destroyed) return;
      this.#ready.set(client.id, client);
      this.#offlineCounts.delete(client.id);
      // Aedes reports a disconnect only while the client is in its registry, which a failed second
      // connection of the same id can remove early; the socket closing is the ground truth.
      connection.once('close', () => this.#gone(client, connection));
      // Online means able to receive, so a flush on connect never publishes into the void: a resumed
      // session is announced now (aedes restored its deliveries subscription), a new one when it
      // subscribes to its deliveries.
      if (connection.grants!.deliveries in restoredSubscriptions(client)) this.#announce(client, connection);
    });
    aedes.on('subscribe', (subscriptions, client) => {
      const connection = connectionOf(client);
      if (!connection?.grants || connection.destroyed || this.#announced.has(client)) return;
      if (this.#ready.get(client.id) !== client) return;
      const deliveries = connection.grants.deliveries;
      if (subscriptions.some((sub) => sub.topic === deliveries && (sub.qos as number) !== REFUSED_QOS)) {
        this.#announce(client, connection);
      }
    });
    aedes.on('clientDisconnect', (client) => {
      const connection = connectionOf(client);
      if (connection) this.#gone(client, connection);
    });
    // Protocol errors (malformed packets, refused publishes, keep-alive timeouts): the client is closed.
    aedes.on('clientError', (client, error) => {
      logger.info('tunnel_client_error', { agentId: agentIdOf(client), error: error.message });
    });
    aedes.on('connectionError', (client, error) => {
      logger.info('tunnel_connection_error', { agentId: agentIdOf(client), error: error.message });
    });
    // Aedes' typings omit 'error' (persistence failures); unhandled, it would end the process.
    aedes.addListener('error', (error: Error) =>
      logger.error('tunnel_broker_error', { error: errorCode(error) }),
    );
  }

  /** Reports a session as online, once. */
  #announce(client: Client, connection: TunnelConnection): void {
    this.#announced.add(client);
    this.#presence.report(client.id, true, connection.sessionId);
  }

  /** Reports the end of an announced session exactly once, whichever of aedes or the socket tells first. */
  #gone(client: Client, connection: TunnelConnection): void {
    if (this.#ready.get(client.id) === client) this.#ready.delete(client.id);
    if (this.#announced.delete(client)) this.#presence.report(client.id, false, connection.sessionId);
  }

  /** A TLS socket whose client certificate chained to our CA: identify it and hand it to aedes. */
  #accept(socket: TLSSocket): void {
    if (this.#closing || !socket.authorized) {
      socket.destroy();
      return;
    }
    const peer = this.#identify(socket);
    const connection = new TunnelConnection(socket, peer, randomUUID(), this.#options.maxInboundPacketBytes);
    if (peer) this.#track(connection, peer);
    this.#aedes.handle(connection);
  }

  #identify(socket: TLSSocket): TunnelPeer | undefined {
    const certificate = socket.getPeerX509Certificate();
    if (!certificate) return undefined;
    try {
      const verified = verifyAgentCertificate({
        certificate: certificate.raw,
        caCertificate: this.#options.clientCaPem,
        now: Date.now(),
      });
      return { agentId: verified.agentId, serialNumber: verified.serialNumber, notAfter: verified.notAfter };
    } catch (error) {
      this.#logger.warn('tunnel_certificate_rejected', {
        reason: error instanceof AgentCertificateRejectedError ? error.reason : errorCode(error),
      });
      return undefined;
    }
  }

  /** Remembers the connection for disconnect(agentId) and closes it when its certificate expires. */
  #track(connection: TunnelConnection, peer: TunnelPeer): void {
    let connections = this.#connections.get(peer.agentId);
    if (!connections) {
      connections = new Set();
      this.#connections.set(peer.agentId, connections);
    }
    connections.add(connection);
    // An established connection must not outlive its certificate (invariant 5).
    const expiry = setTimeout(
      () => {
        this.#logger.info('tunnel_certificate_expired', { agentId: peer.agentId });
        connection.destroy();
      },
      Math.min(peer.notAfter - Date.now(), MAX_TIMER_MS),
    );
    expiry.unref();
    connection.once('close', () => {
      clearTimeout(expiry);
      const current = this.#connections.get(peer.agentId);
      current?.delete(connection);
      if (current?.size === 0) this.#connections.delete(peer.agentId);
    });
  }

  #authenticate(
    client: Client,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const peer = connectionOf(client)?.peer;
    if (!peer) {
      done(notAuthorized(), false);
      return;
    }
    if (client.id !== peer.agentId) {
      this.#logger.warn('tunnel_refused', { agentId: peer.agentId, reason: 'client_id_mismatch' });
      done(notAuthorized(), false);
      return;
    }
    const { authorizeCertificate } = this.#options;
    new Promise<boolean>((resolve) => resolve(authorizeCertificate(peer))).then(
      (allowed) => done(allowed === true ? null : notAuthorized(), allowed === true),
      (error: unknown) => {
        this.#logger.error('tunnel_authorize_failed', { agentId: peer.agentId, error: errorCode(error) });
        done(notAuthorized(), false);
      },
    );
  }

  /** Hands an agent's message to its handler; a failing handler is logged and never reaches aedes. */
  #hand(
    kind: 'ack' | 'csr',
    agentId: string,
    payload: Buffer | string,
    callback: (error?: Error | null) => void,
  ): void {
    const target = kind === 'ack' ? this.#options.onAck : this.#options.onCsr;
    const bytes = typeof payload === 'string' ? Buffer.from(payload) : payload;
    // Waiting for the handler holds this agent's next packets back: a flood of acks can't pile up work.
    new Promise((resolve) => resolve(target(agentId, bytes))).then(
      () => callback(null),
      (error: unknown) => {
        this.#logger.error(`tunnel_${kind}_handler_failed`, { agentId, error: errorCode(error) });
        callback(null);
      },
    );
  }

  /** Counts a publish to a disconnected agent; false once its session holds `offlineQueueLimit`. */
  #countOffline(agentId: string): boolean {
    const limit = this.#options.offlineQueueLimit;
    const count = (this.#offlineCounts.get(agentId) ?? 0) + 1;
    if (count > limit + 1) return false;
    this.#offlineCounts.set(agentId, count);
    if (count <= limit) return true;
    this.#logger.warn('tunnel_offline_queue_full', { agentId, limit });
    return false;
  }
}

function connectionOf(client: Client): TunnelConnection | undefined {
  const conn = client.conn;
  return conn instanceof TunnelConnection ? conn : undefined;
}

/** The subscriptions aedes restored from a persistent session (present at runtime, absent from its typings). */
function restoredSubscriptions(client: Client): Record<string, unknown> {
  return (client as Client & { subscriptions?: Record<string, unknown> }).subscriptions ?? {};
}

function grantsOf(client: Client): AgentTopicGrants | undefined {
  return connectionOf(client)?.grants;
}

function agentIdOf(client: Client): string | undefined {
  return connectionOf(client)?.peer?.agentId;
}

/** The agent id of `clawpulsar/<id>/…`, without splitting the whole topic. */
function agentOfTopic(topic: string): string | undefined {
  if (!topic.startsWith(TOPIC_PREFIX)) return undefined;
  const end = topic.indexOf('/', TOPIC_PREFIX.length);
  return end > TOPIC_PREFIX.length ? topic.slice(TOPIC_PREFIX.length, end) : undefined;
}

function notAuthorized(): AuthenticateError {
  return Object.assign(new Error('not authorized'), { returnCode: NOT_AUTHORIZED });
}

/** Topics come from the agent: cut them short before they reach a log line. */
function clip(value: string): string {
  return value.length > 128 ? `${value.slice(0, 128)}…` : value;
}
