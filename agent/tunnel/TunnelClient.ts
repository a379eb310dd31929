import { connect as tlsConnect } from 'node:tls';
import { MqttClient, Store } from 'mqtt';
import { agentSubscribeTopics } from '../../lambdas/core/delivery/topics.ts';
import type { Logger } from '../../lambdas/core/ports.ts';
import type { TunnelEndpoint } from '../../lambdas/core/registration/registrationMessages.ts';
import type { TlsCredentials } from '../credentials/AgentCredentials.ts';
import { reconnectDelay } from './reconnectDelay.ts';
import { tunnelTlsOptions, tunnelTlsTarget } from './tunnelTlsTarget.ts';

/** IoT Core disconnects clients idle for 1.5 × keepalive; 30 s keeps NAT mappings warm too. */
const KEEPALIVE_SECONDS = 30;
/** MQTT 3.1.1 CONNACK return code 5 (§3.2.2.3). */
const CONNACK_NOT_AUTHORIZED = 5;
/** A connection that lived this long resets the reconnect backoff. */
const STABLE_CONNECTION_MS = 60_000;

export interface TunnelClientOptions {
  readonly agentId: string;
  readonly endpoint: Omit<TunnelEndpoint, 'serverCaPem'>;
  readonly serverCaPem: string;
  /** Read at every connect, so a renewed certificate is used from the next connection on. */
  readonly credentials: () => TlsCredentials;
  readonly logger: Logger;
  /** Every message on the agent's topics, in arrival order. */
  readonly onMessage: (topic: string, payload: Buffer) => void;
  /**
   * Back-pressure: when it returns a promise, the next message is not read (nor this one PUBACKed)
   * until it settles, so a backlog waits in the broker rather than in the agent's memory.
   */
  readonly backpressure?: () => Promise<void> | undefined;
  readonly onConnect?: (sessionPresent: boolean) => void;
  readonly reconnect?: { readonly baseMs?: number; readonly maxMs?: number };
  readonly random?: () => number;
}

/**
 * The agent's one outbound MQTT connection over mutual TLS: client id = agent id, a persistent session
 * (clean: false) with QoS 1 subscriptions so the broker keeps deliveries while the agent is offline,
 * keepalive 30 s, and reconnects for ever with exponential backoff and jitter (at most a minute apart).
 * Outgoing QoS 1 messages (acks, CSRs) live in stores that outlast a connection: whatever the broker
 * has not acknowledged is sent again on the next connection, including across a certificate switch.
 *
 * @example
 * const tunnel = new TunnelClient({ agentId, endpoint, serverCaPem, credentials, logger, onMessage });
 * tunnel.start();
 * await tunnel.publish(topics.acks, payload);
 */
export class TunnelClient {
  readonly #options: TunnelClientOptions;
  readonly #incomingStore = new Store({ clean: false });
  readonly #outgoingStore = new Store({ clean: false });
  readonly #retryAfterConnect: (() => void)[] = [];
  #client: MqttClient | undefined;
  #timer: NodeJS.Timeout | undefined;
  #failures = 0;
  #connectedAt = 0;
  #switching = false;
  #isReady = false;
  #stopped = false;
  #connectWaiters: (() => void)[] = [];
  #endpoint: Omit<TunnelEndpoint, 'serverCaPem'>;
  /** Settles once the latest connection's socket has closed. */
  #socketClosed: Promise<void> = Promise.resolve();

  constructor(options: TunnelClientOptions) {
    this.#options = options;
    this.#endpoint = options.endpoint;
  }

  /** Where it connects: the endpoint it was given, or the one it last switched to. */
  get endpoint(): Omit<TunnelEndpoint, 'serverCaPem'> {
    return this.#endpoint;
  }

  /** True while the broker has accepted the current connection. */
  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** Opens the connection (and keeps it open until `stop`). */
  start(): void {
    if (this.#client) return;
    const client = new MqttClient(() => this.#openStream(), {
      clientId: this.#options.agentId,
      protocolVersion: 4,
      clean: false,
      keepalive: KEEPALIVE_SECONDS,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
      resubscribe: false,
      incomingStore: this.#incomingStore,
      outgoingStore: this.#outgoingStore,
      // mqtt.js calls its debug logger on every packet; this agent logs its own events.
      log: () => {},
      // Otherwise mqtt-packet pre-builds a 2-byte Buffer for each of the 65,536 packet ids and lengths on
      // the first write: ~7 MB of heap held for the process's life, to save a 2-byte write per packet.
      writeCache: false,
    });
    this.#client = client;
    client.handleMessage = (packet, done) => {
      try {
        this.#options.onMessage(
          packet.topic,
          Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
        );
      } catch (error) {
        this.#options.logger.error('tunnel_message_error', {
          topic: packet.topic,
          error: (error as Error).name,
        });
      }
      const wait = this.#options.backpressure?.();
      if (wait)
        wait.then(
          () => done(),
          () => done(),
        );
      else done();
    };
    client.on('connect', (connack) => this.#onConnect(connack.sessionPresent));
    client.on('close', () => this.#onClose());
    client.on('error', (error) => this.#onError(error));
  }

  /**
   * Publishes with QoS 1 and resolves when the broker acknowledged it. While disconnected the message
   * waits in the outgoing store; if the client refuses it mid-switch, it is sent after the next connect.
   */
  publish(topic: string, payload: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        if (this.#stopped || !this.#client) return reject(new Error('tunnel stopped'));
        this.#client.publish(topic, payload, { qos: 1 }, (error) => {
          if (!error) return resolve();
          if (this.#stopped) return reject(error);
          this.#retryAfterConnect.push(attempt);
        });
      };
      attempt();
    });
  }

  /**
   * Resolves once connected with the agent's subscriptions in place (at once when already so): from
   * then on, whatever the edge publishes reaches the agent.
   */
  waitReady(): Promise<void> {
    if (this.connected && this.#isReady) return Promise.resolve();
    return new Promise((resolve) => this.#connectWaiters.push(resolve));
  }

  /**
   * Drops the current connection and connects again at once, with whatever `credentials` now returns
   * (a renewed certificate). Unacknowledged outgoing messages are resent on the new connection; the
   * broker resends unacknowledged deliveries (persistent session).
   */
  reconnectNow(): Promise<void> {
    const client = this.#client;
    if (!client || this.#stopped) return Promise.resolve();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#switching = true;
    const connected = new Promise<void>((resolve) => this.#connectWaiters.push(resolve));
    // Mid-handshake (a port that never answers), end() calls back before the socket has closed: wait
    // for it, or #onClose would take its 'close' for the new connection failing and start another.
    const previousClosed = this.#socketClosed;
    client.end(true, () => {
      void previousClosed.then(() => {
        this.#switching = false;
        if (!this.#stopped)
          client.reconnect({ incomingStore: this.#incomingStore, outgoingStore: this.#outgoingStore });
      });
    });
    return connected;
  }

  /**
   * Connects to `endpoint` from now on (the agent's config moved the tunnel, e.g. IoT Core from 8883 to
   * 443): the current connection, or the attempt or backoff wait under way, is dropped and the new
   * endpoint tried at once, as on a certificate switch. Resolves once connected there.
   */
  switchEndpoint(endpoint: Omit<TunnelEndpoint, 'serverCaPem'>): Promise<void> {
    this.#endpoint = endpoint;
    return this.reconnectNow();
  }

  /**
   * Closes the connection: waits up to `graceMs` for the broker to acknowledge outstanding acks, then
   * sends DISCONNECT. The session (and any undelivered envelopes) stays on the broker.
   */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    if (!client) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => client.end(true, () => resolve()), graceMs);
      client.end(false, () => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  #openStream() {
    const socket = tlsConnect(
      tunnelTlsOptions(
        tunnelTlsTarget(this.#endpoint, this.#options.serverCaPem, this.#options.credentials()),
      ),
    );
    this.#socketClosed = new Promise((resolve) => socket.once('close', () => resolve()));
    // Small request/answer packets: with Nagle's algorithm each waits for the peer's delayed ACK (~40 ms).
    return socket.setNoDelay(true);
  }

  #onConnect(sessionPresent: boolean): void {
    const client = this.#client!;
    this.#connectedAt = Date.now();
    this.#options.logger.info('tunnel_connected', {
      agentId: this.#options.agentId,
      sessionPresent,
      afterFailures: this.#failures,
    });
    for (const retry of this.#retryAfterConnect.splice(0)) retry();
    if (sessionPresent) {
      this.#ready(sessionPresent);
      return;
    }
    // A new session (first start, or the broker lost it): nothing reaches the agent until SUBACK.
    const topics = Object.fromEntries(
      agentSubscribeTopics(this.#options.agentId).map((t) => [t, { qos: 1 as const }]),
    );
    client.subscribe(topics, (error, granted) => {
      const refused = granted?.filter((g) => g.qos === 128).map((g) => g.topic) ?? [];
      if (error || refused.length > 0) {
        this.#options.logger.error('tunnel_subscribe_failed', {
          error: error?.message ?? 'refused',
          refused,
        });
        return;
      }
      this.#ready(sessionPresent);
    });
  }

  #ready(sessionPresent: boolean): void {
    this.#isReady = true;
    this.#options.logger.info('tunnel_ready', { agentId: this.#options.agentId });
    for (const resolve of this.#connectWaiters.splice(0)) resolve();
    this.#options.onConnect?.(sessionPresent);
  }

  #onClose(): void {
    this.#isReady = false;
    if (this.#stopped || this.#switching) return;
    if (this.#connectedAt > 0) {
      const lived = Date.now() - this.#connectedAt;
      this.#connectedAt = 0;
      if (lived >= STABLE_CONNECTION_MS) this.#failures = 0;
      this.#options.logger.warn('tunnel_disconnected', {
        agentId: this.#options.agentId,
        connectedMs: lived,
      });
    }
    if (this.#timer) return;
    this.#failures++;
    const delayMs = reconnectDelay(this.#failures, this.#options.reconnect, this.#options.random);
    this.#options.logger.info('tunnel_reconnecting', { attempt: this.#failures, delayMs });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped && this.#client && !this.#client.connected) {
        this.#client.reconnect({ incomingStore: this.#incomingStore, outgoingStore: this.#outgoingStore });
      }
    }, delayMs);
  }

  #onError(error: Error & { code?: string | number }): void {
    if (error.code === CONNACK_NOT_AUTHORIZED) {
      // The TLS handshake passed, so the certificate is ours; the edge no longer accepts it.
      this.#options.logger.error('tunnel_refused', {
        agentId: this.#options.agentId,
        next: 'The edge refused this agent (revoked, or replaced by a newer registration). Ask the operator for a new registration token (`clawpulsar token create`) and run `clawpulsar agent register --force`.',
      });
      return;
    }
    this.#options.logger.warn('tunnel_error', { code: error.code ?? 'unknown', error: error.message });
  }
}
