import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chunkEnvelope } from '../../lambdas/core/delivery/chunkEnvelope.ts';
import {
  type AckMessage,
  ackMessageSchema,
  csrMessageSchema,
  parseMessage,
} from '../../lambdas/core/delivery/messages.ts';
import { topicsFor } from '../../lambdas/core/delivery/topics.ts';
import {
  type SealedRequest,
  sealingKeyFromBase64url,
  sealRequest,
} from '../../lambdas/core/envelope/index.ts';
import type { PresenceEvent } from '../../lambdas/core/ports.ts';
import {
  type RegistrationResponse,
  registrationRequestSchema,
} from '../../lambdas/core/registration/registrationMessages.ts';
import { TunnelBroker } from '../../lambdas/edge/TunnelBroker.ts';
import { MemoryLogger } from './MemoryLogger.ts';
import { issueServer, makeCa, removeCa, type TestCa, type TestCertificate } from './opensslCa.ts';
import { signAgentCsr } from './testCa.ts';

/** Validity of a certificate the test edge issues, computed at issuance. */
export type ValidityPolicy = (now: number) => { notBefore?: number; notAfter?: number };

export interface TestEdgeOptions {
  /** Validity of certificates issued at registration; default 5 min ago to 23 h from now. */
  readonly registrationValidity?: ValidityPolicy;
  /** Validity of certificates issued on renewal over the tunnel. */
  readonly renewalValidity?: ValidityPolicy;
  /**
   * The tunnel the registration answer announces instead of this edge's broker, e.g. IoT Core's endpoint
   * as a stack's register function announces it (its CA stays this edge's).
   */
  readonly announcedTunnel?: { readonly host: string; readonly port: number; readonly serverName: string };
}

/** An ack as the broker handed it over: the agent id comes from the connection, never the payload. */
export interface ReceivedAck {
  readonly agentId: string;
  readonly ack: AckMessage;
}

/**
 * A small but real edge for agent tests: an openssl test CA, the edge's own TunnelBroker (aedes over
 * mutual TLS, per-agent topics) on an ephemeral port, and an HTTP `POST /v1/register` that checks the
 * registration contract and signs the agent's CSR with openssl. It records what it received (raw
 * registration bodies, acks, CSRs, presence) so tests can prove what crossed the wire.
 *
 * @example
 * const edge = await TestEdge.start();
 * const token = edge.issueToken('laptop');
 * // … register an agent against edge.url …
 * await edge.deliver('laptop', { sourceId: 'github', deliveryId: 'd1', request });
 */
export class TestEdge {
  readonly ca: TestCa;
  readonly serverCertificate: TestCertificate;
  readonly logger = new MemoryLogger();
  readonly registrationBodies: string[] = [];
  readonly csrBodies: string[] = [];
  readonly acks: ReceivedAck[] = [];
  readonly presence: PresenceEvent[] = [];
  /** Agents whose CONNECT the broker refuses (revoked). */
  readonly refused = new Set<string>();
  readonly #options: TestEdgeOptions;
  readonly #tokens = new Map<string, string>();
  readonly #sealingKeys = new Map<string, Uint8Array>();
  readonly #http: Server;
  #broker: TunnelBroker | undefined;
  #brokerPort = 0;
  #waiters: (() => void)[] = [];

  private constructor(options: TestEdgeOptions, http: Server) {
    this.#options = options;
    this.#http = http;
    this.ca = makeCa('ClawPulsar Test Edge CA');
    this.serverCertificate = issueServer(this.ca, ['localhost', '127.0.0.1']);
  }

  static async start(options: TestEdgeOptions = {}): Promise<TestEdge> {
    const http = createServer();
    const edge = new TestEdge(options, http);
    http.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const reply = edge.#register(
          req.method ?? 'GET',
          req.url ?? '/',
          Buffer.concat(chunks).toString('utf8'),
        );
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    await edge.startBroker();
    return edge;
  }

  /** `http://127.0.0.1:PORT`, the edge URL an agent registers with. */
  get url(): string {
    return `http://127.0.0.1:${(this.#http.address() as AddressInfo).port}`;
  }

  get brokerPort(): number {
    return this.#brokerPort;
  }

  get broker(): TunnelBroker {
    if (!this.#broker) throw new Error('the broker is stopped');
    return this.#broker;
  }

  /** A one-time registration token for `agentId`, in the edge's `cpreg_` format. */
  issueToken(agentId: string): string {
    const token = `cpreg_${randomBytes(32).toString('base64url')}`;
    this.#tokens.set(token, agentId);
    return token;
  }

  /** The X25519 public key `agentId` registered. */
  sealingKeyOf(agentId: string): Uint8Array {
    const key = this.#sealingKeys.get(agentId);
    if (!key) throw new Error(`agent ${agentId} has not registered`);
    return key;
  }

  /** Seals `request` to the agent's registered key, as the ingress does. */
  seal(
    agentId: string,
    delivery: {
      sourceId: string;
      deliveryId: string;
      request: SealedRequest;
      envelopeId?: string;
      sealedFor?: string;
    },
  ): { envelopeId: string; sealed: Uint8Array } {
    const envelopeId = delivery.envelopeId ?? randomUUID();
    const sealed = sealRequest({
      recipientPublicKey: this.sealingKeyOf(agentId),
      binding: {
        agentId: delivery.sealedFor ?? agentId,
        sourceId: delivery.sourceId,
        deliveryId: delivery.deliveryId,
        receivedAt: Date.now(),
        envelopeId,
      },
      request: delivery.request,
    });
    return { envelopeId, sealed };
  }

  /** Publishes a sealed envelope to the agent's deliveries topic, in chunks of `chunkSize` bytes. */
  async publishEnvelope(
    agentId: string,
    envelopeId: string,
    sealed: Uint8Array,
    chunkSize?: number,
  ): Promise<void> {
    for (const frame of chunkEnvelope(envelopeId, sealed, chunkSize)) {
      await this.broker.publish(topicsFor(agentId).deliveries, frame);
    }
  }

  /** Seals and publishes; returns the envelope id. */
  async deliver(
    agentId: string,
    delivery: { sourceId: string; deliveryId: string; request: SealedRequest; envelopeId?: string },
    chunkSize?: number,
  ): Promise<string> {
    const { envelopeId, sealed } = this.seal(agentId, delivery);
    await this.publishEnvelope(agentId, envelopeId, sealed, chunkSize);
    return envelopeId;
  }

  /** Resolves once `predicate` holds (checked on every ack, CSR and presence event), or rejects after `timeoutMs`. */
  async waitFor(predicate: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The acks received for `envelopeId`. */
  acksFor(envelopeId: string): AckMessage[] {
    return this.acks.filter((a) => a.ack.envelopeId === envelopeId).map((a) => a.ack);
  }

  /** Whether the agent has a live, authorised session on the broker. */
  isConnected(agentId: string): boolean {
    return this.#broker?.isConnected(agentId) ?? false;
  }

  /** Starts the broker (again), on the same port as before once it had one. */
  async startBroker(): Promise<void> {
    this.#broker = await TunnelBroker.start({
      port: this.#brokerPort,
      serverKeyPem: this.serverCertificate.keyPem,
      serverCertPem: this.serverCertificate.certPem,
      clientCaPem: this.ca.certPem,
      authorizeCertificate: (peer) => !this.refused.has(peer.agentId),
      onAck: (agentId, payload) => {
        this.acks.push({ agentId, ack: parseMessage(ackMessageSchema, payload, 'ack') });
        this.#wake();
      },
      onCsr: (agentId, payload) => this.#renew(agentId, payload),
      onPresence: (event) => {
        this.presence.push(event);
        this.#wake();
      },
      logger: this.logger,
    });
    this.#brokerPort = this.#broker.port;
  }

  /** Stops the broker: every agent connection drops, sessions are lost. */
  async stopBroker(): Promise<void> {
    const broker = this.#broker;
    this.#broker = undefined;
    await broker?.close();
  }

  async close(): Promise<void> {
    await this.stopBroker();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
    this.#http.closeAllConnections();
    removeCa(this.ca);
  }

  #register(method: string, url: string, body: string): { status: number; body: unknown } {
    if (method !== 'POST' || url !== '/v1/register')
      return { status: 404, body: error('not_found', 'No route') };
    this.registrationBodies.push(body);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return { status: 400, body: error('invalid_json', 'Body is not JSON') };
    }
    const parsed = registrationRequestSchema.safeParse(json);
    if (!parsed.success)
      return { status: 400, body: error('invalid_registration', parsed.error.issues[0]?.message ?? '') };
    const agentId = this.#tokens.get(parsed.data.token);
    if (!agentId) {
      return {
        status: 401,
        body: error('registration_token_invalid', 'Registration token is unknown, expired or already used'),
      };
    }
    this.#tokens.delete(parsed.data.token);
    this.#sealingKeys.set(agentId, sealingKeyFromBase64url(parsed.data.sealingPublicKey));
    const issued = signAgentCsr(
      this.ca,
      parsed.data.csrPem,
      agentId,
      this.#options.registrationValidity?.(Date.now()),
    );
    const response: RegistrationResponse = {
      agentId,
      certificatePem: issued.certificatePem,
      caChainPem: this.ca.certPem,
      notAfter: issued.notAfter,
      tunnel: {
        ...(this.#options.announcedTunnel ?? {
          host: '127.0.0.1',
          port: this.#brokerPort,
          serverName: 'localhost',
        }),
        serverCaPem: this.ca.certPem,
      },
      webhookBaseUrl: `${this.url}/v1/hooks`,
    };
    return { status: 200, body: response };
  }

  async #renew(agentId: string, payload: Uint8Array): Promise<void> {
    this.csrBodies.push(Buffer.from(payload).toString('utf8'));
    this.#wake();
    const message = parseMessage(csrMessageSchema, payload, 'csr');
    const issued = signAgentCsr(
      this.ca,
      message.csrPem,
      agentId,
      this.#options.renewalValidity?.(Date.now()),
    );
    await this.broker.publish(
      topicsFor(agentId).issued,
      Buffer.from(
        JSON.stringify({
          requestId: message.requestId,
          certificatePem: issued.certificatePem,
          caChainPem: this.ca.certPem,
          notAfter: issued.notAfter,
        }),
      ),
    );
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

function error(code: string, message: string) {
  return { error: { code, message } };
}
