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
