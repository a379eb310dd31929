/**
 * Ports: what the domain needs from a runtime. The AWS adapters (`lambdas/adapters/aws`) and the local
 * adapters (`lambdas/adapters/local`) implement these; domain code takes them as arguments and never
 * imports an SDK.
 */
import type { SourceVerification } from './signatures/types.ts';

/** Milliseconds since the epoch. Injected so tests control time. */
export interface Clock {
  now(): number;
}

/** Structured, metadata-only logging. Fields must never hold bodies, header values, secrets or keys. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/**
 * Envelope encryption of secrets at rest (source secrets, provider keys, CA key locally).
 * AWS: KMS Encrypt/Decrypt with the context as KMS encryption context. Local: AES-256-GCM with a master
 * key file, the context bound as associated data. The context holds ids only, never secrets.
 */
export interface KeyCustody {
  encrypt(plaintext: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array>;
  decrypt(ciphertext: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array>;
}

/** What the ingress needs to know about one (agent, source) pair, secrets decrypted in memory. */
export interface IngressSource {
  readonly agentId: string;
  readonly sourceId: string;
  /** The agent's registered X25519 public key (32 raw bytes) that envelopes are sealed to. */
  readonly sealingPublicKey: Uint8Array;
  readonly verification: SourceVerification;
}

export interface SourceDirectory {
  /** Undefined when the agent or source is unknown, or the agent is revoked. */
  getIngressSource(agentId: string, sourceId: string): Promise<IngressSource | undefined>;
}

/** Remembers provider delivery ids for 72 h so a retried webhook is not queued twice. */
export interface DedupeStore {
  /** Atomically claims `key`; false when it was already claimed and has not expired. */
  claim(key: string, expiresAtMs: number): Promise<boolean>;
  /** Releases a claim whose enqueue failed, so the provider's retry is accepted. */
  release(key: string): Promise<void>;
}

/** A sealed envelope waiting for its agent. Only ciphertext and routing metadata. */
export interface QueuedEnvelope {
  readonly envelopeId: string;
  readonly agentId: string;
  readonly sourceId: string;
  readonly deliveryId: string;
  readonly provider: string;
  /** When the ingress accepted it (ms). The 72 h window counts from here. */
  readonly receivedAt: number;
  /** The sealed envelope bytes (see core/envelope). */
  readonly sealed: Uint8Array;
}

/** The durable queue with 72 h retention. AWS: SQS (+ S3 claim-check). Local: SQLite. */
export interface EnvelopeQueue {
  enqueue(envelope: QueuedEnvelope): Promise<void>;
}

export type DeliveryStatus = 'queued' | 'delivered' | 'failed' | 'expired';

/** Metadata only: never header values or bodies. */
export interface DeliveryLogEntry {
  readonly envelopeId: string;
  readonly agentId: string;
  readonly sourceId: string;
  readonly provider: string;
  readonly deliveryId: string;
  readonly receivedAt: number;
  readonly sizeBytes: number;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly statusCode?: number;
  readonly latencyMs?: number;
  readonly updatedAt: number;
}

export interface DeliveryLog {
  record(entry: DeliveryLogEntry): Promise<void>;
}

/** Publishes to the tunnel (QoS 1). AWS: IoT data plane. Local: the in-process broker. */
export interface TunnelPublisher {
  publish(topic: string, payload: Uint8Array): Promise<void>;
}

/** A connect or disconnect of an agent's tunnel session. */
export interface PresenceEvent {
  readonly agentId: string;
  readonly connected: boolean;
  /** When the broker saw it (ms). Events may arrive late, duplicated or out of order. */
  readonly at: number;
  /** The broker's session id; a disconnect of an old session must not mark a newer one offline. */
  readonly sessionId: string;
}

export interface PresenceStore {
  /** Applies the event unless a newer one was already applied; returns whether it was applied. */
  apply(event: PresenceEvent): Promise<boolean>;
  isOnline(agentId: string): Promise<boolean>;
}

/** An envelope waiting in the queue, as the dispatcher and the ack path see it. */
export interface PendingEnvelope {
  readonly envelopeId: string;
  readonly agentId: string;
  readonly sourceId: string;
  readonly deliveryId: string;
  readonly provider: string;
  readonly receivedAt: number;
  readonly sizeBytes: number;
  /** How many times it was published to the agent so far. */
  readonly attempts: number;
}

/** The queue's view for acknowledgements. */
export interface PendingEnvelopes {
  find(envelopeId: string): Promise<PendingEnvelope | undefined>;
  /** Removes the envelope from the queue for good (acked or expired). */
  complete(envelopeId: string): Promise<void>;
}

export type AgentStatus = 'active' | 'revoked';

export interface AgentRecord {
  readonly agentId: string;
  readonly status: AgentStatus;
  /** X25519 public key (32 raw bytes); absent until the agent registers. */
  readonly sealingPublicKey?: Uint8Array;
  readonly hostname?: string;
  readonly createdAt: number;
  readonly registeredAt?: number;
  readonly revokedAt?: number;
}

export interface AgentRepository {
  get(agentId: string): Promise<AgentRecord | undefined>;
  put(agent: AgentRecord): Promise<void>;
  list(): Promise<AgentRecord[]>;
}

export type CertificateStatus = 'active' | 'superseded' | 'revoked';

export interface CertificateRecord {
  readonly serialNumber: string;
  readonly agentId: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly status: CertificateStatus;
  readonly issuedAt: number;
}

export interface CertificateRepository {
  get(serialNumber: string): Promise<CertificateRecord | undefined>;
  put(certificate: CertificateRecord): Promise<void>;
  listByAgent(agentId: string): Promise<CertificateRecord[]>;
}

/** A source as stored: its secrets only as ciphertext (KeyCustody), with fingerprints for display. */
export interface StoredSource {
  readonly agentId: string;
  readonly sourceId: string;
  readonly provider: string;
  /** KeyCustody ciphertext of `{ secrets, verifyToken }`, context `{ purpose, agentId, sourceId }`. */
  readonly secretsCiphertext: Uint8Array;
  /** `sha256:` + 8 hex characters per secret, newest first: enough to tell secrets apart, never to use one. */
  readonly secretFingerprints: readonly string[];
  readonly hasVerifyToken: boolean;
  /** Non-secret verification options (generic HMAC definition, tolerance), as JSON. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface SourceRepository {
  get(agentId: string, sourceId: string): Promise<StoredSource | undefined>;
  put(source: StoredSource): Promise<void>;
  delete(agentId: string, sourceId: string): Promise<boolean>;
  list(agentId?: string): Promise<StoredSource[]>;
}

export interface DeliveryLogFilter {
  readonly agentId?: string;
  readonly sourceId?: string;
  readonly status?: DeliveryStatus;
  /** Only entries received before this instant (ms), for paging. */
  readonly before?: number;
  readonly limit: number;
}

export interface DeliveryLogReader {
  list(filter: DeliveryLogFilter): Promise<DeliveryLogEntry[]>;
}

export interface PresenceRecord {
  readonly agentId: string;
  readonly connected: boolean;
  readonly lastSeen: number;
}

export interface PresenceReader {
  get(agentId: string): Promise<PresenceRecord | undefined>;
}
