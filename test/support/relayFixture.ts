import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { FileKeyCustody } from '../../lambdas/adapters/local/FileKeyCustody.ts';
import { openEdgeDatabase } from '../../lambdas/adapters/local/openEdgeDatabase.ts';
import { SqliteAgentRepository } from '../../lambdas/adapters/local/SqliteAgentRepository.ts';
import { SqliteCertificateRepository } from '../../lambdas/adapters/local/SqliteCertificateRepository.ts';
import { SqliteDedupeStore } from '../../lambdas/adapters/local/SqliteDedupeStore.ts';
import { SqliteDeliveryLog } from '../../lambdas/adapters/local/SqliteDeliveryLog.ts';
import { SqliteEnvelopeQueue } from '../../lambdas/adapters/local/SqliteEnvelopeQueue.ts';
import { SqlitePresenceStore } from '../../lambdas/adapters/local/SqlitePresenceStore.ts';
import { SqliteRegistrationTokenStore } from '../../lambdas/adapters/local/SqliteRegistrationTokenStore.ts';
import { SqliteSourceRepository } from '../../lambdas/adapters/local/SqliteSourceRepository.ts';
import { SqliteWriteBatcher } from '../../lambdas/adapters/local/SqliteWriteBatcher.ts';
import { type DispatchDeps, logFields } from '../../lambdas/core/delivery/dispatchEnvelope.ts';
import {
  generateSealingKeyPair,
  type SealingKeyPair,
  sealRequest,
} from '../../lambdas/core/envelope/index.ts';
import type { IngressDeps } from '../../lambdas/core/ingress/handleIngress.ts';
import type { ManagementDeps } from '../../lambdas/core/management/ManagementDeps.ts';
import { putSource } from '../../lambdas/core/management/putSource.ts';
import type { PutSourceInput } from '../../lambdas/core/management/sourceSchemas.ts';
import type { AgentStatus, PendingEnvelope } from '../../lambdas/core/ports.ts';
import {
  type CachedSourceDirectory,
  createSourceDirectory,
} from '../../lambdas/core/sources/createSourceDirectory.ts';
import { aRequest } from '../lambdas/core/envelope/envelopeFactories.ts';
import { MemoryLogger } from './MemoryLogger.ts';
import { ManualClock, RecordingTunnel } from './monitorFixture.ts';

/** One envelope waiting in the queue, with what the agent needs to open it. */
export interface QueuedFixtureEnvelope {
  readonly pending: PendingEnvelope;
  readonly sealed: Uint8Array;
}

export interface RelayFixture {
  readonly db: DatabaseSync;
  readonly clock: ManualClock;
  readonly logger: MemoryLogger;
  readonly custody: FileKeyCustody;
  readonly agents: SqliteAgentRepository;
  readonly sources: SqliteSourceRepository;
  readonly directory: CachedSourceDirectory;
  readonly dedupe: SqliteDedupeStore;
  readonly queue: SqliteEnvelopeQueue;
  readonly deliveryLog: SqliteDeliveryLog;
  readonly presence: SqlitePresenceStore;
  readonly tunnel: RecordingTunnel;
  /** The ingress on these adapters; `overrides` swaps single ports (a failing queue, say). */
  ingressDeps(overrides?: Partial<IngressDeps>): IngressDeps;
  /** The dispatcher's ports; random() = 0.5: no jitter, so every look-again time is exact. */
  dispatchDeps(): DispatchDeps;
  /** Registers an agent with a fresh X25519 sealing key, as registration would store it. */
  addAgent(agentId: string, status?: AgentStatus): Promise<SealingKeyPair>;
  /** The sealing keys of an agent added with `addAgent`. */
  keysOf(agentId: string): SealingKeyPair;
  /** Creates a source through the management core: secrets encrypted under the file key custody. */
  addSource(agentId: string, sourceId: string, input: PutSourceInput): Promise<void>;
  /**
   * Seals a request to an added agent and enqueues it (with its 'queued' log entry), as the ingress
   * would have; the body is `body`, the receive time the clock's now unless given.
   */
  enqueueEnvelope(
    agentId: string,
    options?: { body?: Uint8Array; receivedAt?: number; sourceId?: string },
  ): Promise<QueuedFixtureEnvelope>;
  /** Every value of every row of every table, as bytes: what a canary scan of the database reads. */
  storedBytes(): Buffer;
  /** Commits the open write batch, as the next event-loop turn would. */
  commit(): void;
  close(): void;
}

/**
 * The relay core's ports on the local edge's real adapters — one in-memory SQLite database, the file key
 * custody in a temporary directory — with a hand-moved clock, a memory logger and a recording tunnel.
 *
 * @example
 * const f = relayFixture();
 * const keys = await f.addAgent('laptop');
 * await f.addSource('laptop', 'github', { provider: 'github', secrets: ['s3cret'] });
 * const response = await handleIngress(f.ingressDeps(), { agentId: 'laptop', sourceId: 'github' }, request);
 */
export function relayFixture(options: { startMs?: number } = {}): RelayFixture {
  const dir = mkdtempSync(join(tmpdir(), 'cp-relay-'));
  const db = openEdgeDatabase(':memory:');
  const clock = new ManualClock(options.startMs ?? Date.UTC(2026, 0, 15, 9));
  const logger = new MemoryLogger();
  const custody = FileKeyCustody.openOrCreate(join(dir, 'master.key'));
  const agents = new SqliteAgentRepository(db);
  const sources = new SqliteSourceRepository(db);
  const directory = createSourceDirectory({ agents, sources, custody, clock });
  const dedupe = new SqliteDedupeStore(db, clock);
  const queue = new SqliteEnvelopeQueue(db);
  const deliveryLog = new SqliteDeliveryLog(db);
  const presence = new SqlitePresenceStore(db);
  const tunnel = new RecordingTunnel();
  const keys = new Map<string, SealingKeyPair>();
  const management: ManagementDeps = {
    agents,
    certificates: new SqliteCertificateRepository(db),
    sources,
    deliveries: deliveryLog,
    presence,
    custody,
    tokens: new SqliteRegistrationTokenStore(db),
    clock,
    logger,
    webhookBaseUrl: 'https://hooks.example.com/v1/hooks',
    onSourceChanged: (agentId, sourceId) => directory.invalidate(agentId, sourceId),
  };
  let nextId = 0;

  return {
    db,
    clock,
    logger,
    custody,
    agents,
    sources,
    directory,
    dedupe,
    queue,
    deliveryLog,
    presence,
    tunnel,
    ingressDeps: (overrides = {}) => ({
      sources: directory,
      dedupe,
      queue,
      deliveryLog,
      clock,
      logger,
      newId: () => `env-${String(++nextId).padStart(4, '0')}-${randomUUID()}`,
      ...overrides,
    }),
    dispatchDeps: () => ({ publisher: tunnel, presence, deliveryLog, clock, logger, random: () => 0.5 }),
    async addAgent(agentId, status = 'active') {
      const pair = generateSealingKeyPair();
      keys.set(agentId, pair);
      await agents.put({
        agentId,
        status,
        sealingPublicKey: pair.publicKey,
        createdAt: clock.now(),
        registeredAt: clock.now(),
        ...(status === 'revoked' ? { revokedAt: clock.now() } : {}),
      });
      directory.invalidate(agentId);
      return pair;
    },
    keysOf(agentId) {
      const pair = keys.get(agentId);
      if (!pair) throw new Error(`agent ${agentId} was not added`);
      return pair;
    },
    async addSource(agentId, sourceId, input) {
      await putSource(management, agentId, sourceId, input);
    },
    async enqueueEnvelope(agentId, options = {}) {
      const pair = keys.get(agentId);
      if (!pair) throw new Error(`agent ${agentId} was not added`);
      const sourceId = options.sourceId ?? 'github';
      const receivedAt = options.receivedAt ?? clock.now();
      const envelopeId = randomUUID();
      const deliveryId = randomUUID();
      const request = aRequest(options.body ? { body: options.body } : {});
      const sealed = sealRequest({
        recipientPublicKey: pair.publicKey,
        binding: { agentId, sourceId, deliveryId, receivedAt, envelopeId },
        request,
      });
      await queue.enqueue({
        envelopeId,
        agentId,
        sourceId,
        deliveryId,
        provider: 'github',
        receivedAt,
        sealed,
      });
      const pending = await queue.find(envelopeId);
      if (!pending) throw new Error('the queue lost an envelope');
      // The ingress logs the size of the body it received, not of the envelope.
      await deliveryLog.record({
        ...logFields(pending),
        sizeBytes: request.body.byteLength,
        status: 'queued',
        updatedAt: receivedAt,
      });
      return { pending, sealed };
    },
    storedBytes() {
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as unknown as {
        name: string;
      }[];
      const parts: Buffer[] = [];
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all()) {
          for (const value of Object.values(row)) {
            parts.push(value instanceof Uint8Array ? Buffer.from(value) : Buffer.from(String(value), 'utf8'));
          }
        }
      }
      return Buffer.concat(parts);
    },
    commit() {
      SqliteWriteBatcher.for(db).flush();
    },
    close() {
      SqliteWriteBatcher.for(db).flush();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
