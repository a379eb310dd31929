import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fetchAlertWebhookSender } from '../adapters/http/fetchAlertWebhookSender.ts';
import { fetchHttpClient } from '../adapters/http/fetchHttpClient.ts';
import { FileKeyCustody } from '../adapters/local/FileKeyCustody.ts';
import { openEdgeDatabase } from '../adapters/local/openEdgeDatabase.ts';
import { SqliteAgentRepository } from '../adapters/local/SqliteAgentRepository.ts';
import { SqliteBudgetAlertStore } from '../adapters/local/SqliteBudgetAlertStore.ts';
import { SqliteBudgetRepository } from '../adapters/local/SqliteBudgetRepository.ts';
import { SqliteCertificateRepository } from '../adapters/local/SqliteCertificateRepository.ts';
import { SqliteDedupeStore } from '../adapters/local/SqliteDedupeStore.ts';
import { SqliteDeliveryLog } from '../adapters/local/SqliteDeliveryLog.ts';
import { SqliteEnvelopeQueue } from '../adapters/local/SqliteEnvelopeQueue.ts';
import { SqlitePresenceStore } from '../adapters/local/SqlitePresenceStore.ts';
import { SqliteProviderKeyRepository } from '../adapters/local/SqliteProviderKeyRepository.ts';
import { SqliteRegistrationTokenStore } from '../adapters/local/SqliteRegistrationTokenStore.ts';
import { SqliteSourceRepository } from '../adapters/local/SqliteSourceRepository.ts';
import { SqliteSpendHistory } from '../adapters/local/SqliteSpendHistory.ts';
import { SqliteWriteBatcher } from '../adapters/local/SqliteWriteBatcher.ts';
import { WalCheckpointer } from '../adapters/local/WalCheckpointer.ts';
import { handleAck } from '../core/delivery/handleAck.ts';
import { handlePresence } from '../core/delivery/handlePresence.ts';
import { topicsFor } from '../core/delivery/topics.ts';
import { SenderSetupReserve } from '../core/envelope/SenderSetupReserve.ts';
import type { ManagementDeps } from '../core/management/ManagementDeps.ts';
import type { BudgetMonitorDeps } from '../core/monitor/BudgetMonitorDeps.ts';
import type { Clock, Logger } from '../core/ports.ts';
import { authorizeAgentConnection } from '../core/registration/authorizeAgentConnection.ts';
import type { RegistrationDeps } from '../core/registration/RegistrationDeps.ts';
import { renewAgentCertificate } from '../core/registration/renewAgentCertificate.ts';
import { createSourceDirectory } from '../core/sources/createSourceDirectory.ts';
import { timeOrderedId } from '../core/timeOrderedId.ts';
import { BudgetScheduler, DEFAULT_POLL_INTERVAL_MS } from './BudgetScheduler.ts';
import { createEdgeHttpServer } from './createEdgeHttpServer.ts';
import { DashboardSessions } from './dashboard/DashboardSessions.ts';
import { DashboardAssets, defaultDashboardAssetsDir } from './dashboard/dashboardAssets.ts';
import { edgePaths } from './edgePaths.ts';
import { ensureBrokerCertificate } from './ensureBrokerCertificate.ts';
import { ensureLocalCa } from './ensureLocalCa.ts';
import { errorCode } from './errorCode.ts';
import { LocalDispatcher } from './LocalDispatcher.ts';
import { type SimulatedDemo, startSimulatedDemo } from './startSimulatedDemo.ts';
import { TunnelBroker } from './TunnelBroker.ts';

export interface EdgeOptions {
  readonly dataDir: string;
  /** Interface for the HTTP API and the tunnel; default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** HTTP port (ingress, registration, management); default 7700, 0 for any. */
  readonly port?: number;
  /** MQTT-over-mTLS port; default 8883, 0 for any. */
  readonly tunnelPort?: number;
  /** The URL providers call when the edge is published through a tunnel or proxy. */
  readonly publicUrl?: string;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Agent certificate lifetime (24 h; shorter only for tests of renewal). */
  readonly certificateLifetimeMs?: number;
  readonly durability?: 'normal' | 'full';
  /** Time between budget polls (default 5 minutes). */
  readonly pollIntervalMs?: number;
  /** Start the simulated provider with a demo key and budget (`--simulated-provider`). */
  readonly simulatedProvider?: boolean;
  /** The built web dashboard (default: `dist/dashboard/`). */
  readonly dashboardAssetsDir?: string;
}

export interface RunningEdge {
  readonly url: string;
  readonly publicUrl: string;
  readonly tunnelPort: number;
  readonly dataDir: string;
  readonly managementTokenFile: string;
  /** The demo of `simulatedProvider`, when started. */
  readonly simulated?: { readonly url: string; readonly keyId: string; readonly budgetId: string };
  /** Runs one budget poll now. */
  pollBudgets(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the local edge: one process with the HTTP API, the mTLS MQTT broker, the dispatcher and a
 * SQLite file — the same core as the AWS stack, with local adapters.
 *
 * @example
 * const edge = await startEdge({ dataDir: '/home/me/.clawpulsar/edge', logger });
 * console.log(edge.url);
 */
export async function startEdge(options: EdgeOptions): Promise<RunningEdge> {
  const clock = options.clock ?? { now: Date.now };
  const logger = options.logger;
  const host = options.host ?? '127.0.0.1';
  const paths = edgePaths(options.dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });

  const custody = FileKeyCustody.openOrCreate(paths.masterKey);
  const managementToken = ensureManagementToken(paths.managementToken);
  const db = openEdgeDatabase(paths.database, options.durability ? { durability: options.durability } : {});
  const checkpointer = WalCheckpointer.start(
    db,
    paths.database,
    options.durability ? { durability: options.durability } : {},
  );
  SqliteWriteBatcher.for(db).afterCommit(() => checkpointer.wake());
  SqliteWriteBatcher.for(db).onDeferredError((error) =>
    logger.error('deferred_write_failed', { error: errorCode(error) }),
  );
  const agents = new SqliteAgentRepository(db);
  const certificates = new SqliteCertificateRepository(db);
  const sources = new SqliteSourceRepository(db);
  const dedupe = new SqliteDedupeStore(db, clock);
  const queue = new SqliteEnvelopeQueue(db);
  const deliveryLog = new SqliteDeliveryLog(db);
  const presence = new SqlitePresenceStore(db);
  const tokens = new SqliteRegistrationTokenStore(db);
  const history = new SqliteSpendHistory(db);
  const budgetAlerts = new SqliteBudgetAlertStore(db, clock);

  const ca = await ensureLocalCa({
    custody,
    keyPath: paths.caKey,
    certificatePath: paths.caCertificate,
    now: clock.now(),
  });
  const brokerCert = await ensureBrokerCertificate({
    custody,
    keyPath: paths.brokerKey,
    certificatePath: paths.brokerCertificate,
    hosts: ['localhost', '127.0.0.1', '::1', ...(host === '127.0.0.1' ? [] : [host])],
    now: clock.now(),
  });

  const directory = createSourceDirectory({ agents, sources, custody, clock });
  let broker: TunnelBroker | undefined;
  const publisher = {
    publish: (topic: string, payload: Uint8Array) => {
      if (!broker) return Promise.reject(new Error('tunnel not started'));
      return broker.publish(topic, payload);
    },
  };
  const dispatcher = new LocalDispatcher(queue, { publisher, presence, deliveryLog, clock, logger });

  const server = createEdgeHttpServer({
    ingress: {
      sources: directory,
      dedupe,
      queue: dispatcher.ingressQueue,
      deliveryLog,
      clock,
      logger,
      // Time-ordered: envelope and delivery-log rows are appended to their tables' B-trees.
      newId: () => timeOrderedId(),
      // Sealing to an agent is set up ahead, off the path of its next webhook.
      senderSetups: new SenderSetupReserve(),
    },
    get registration(): RegistrationDeps {
      return registration;
    },
    get management(): ManagementDeps {
      return management;
    },
    managementTokenSha256: createHash('sha256').update(managementToken, 'utf8').digest(),
    publicBaseUrl: () => publicUrl,
    logger,
    dashboard: {
      assets: DashboardAssets.load(options.dashboardAssetsDir ?? defaultDashboardAssetsDir()),
      sessions: new DashboardSessions({ clock }),
      edgeUrl: () => publicUrl,
      variant: 'edge',
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7700, host, () => resolve());
  });
  const httpPort = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${httpPort}`;
  const publicUrl = (options.publicUrl ?? url).replace(/\/$/, '');

  const connectionAuth = { agents, certificates, clock, logger };
  broker = await TunnelBroker.start({
    host,
    port: options.tunnelPort ?? 8883,
    serverKeyPem: brokerCert.privateKeyPem,
    serverCertPem: brokerCert.certificatePem,
    clientCaPem: ca.certificatePem,
    authorizeCertificate: (peer) => authorizeAgentConnection(connectionAuth, peer),
    onAck: (agentId, payload) =>
      handleAck({ pending: dispatcher.ackedEnvelopes, deliveryLog, clock, logger }, agentId, payload),
    onCsr: async (agentId, payload) => {
      const reply = await renewAgentCertificate(registration, agentId, payload);
      await publisher.publish(topicsFor(agentId).issued, Buffer.from(JSON.stringify(reply)));
    },
    onPresence: (event) => handlePresence({ presence, logger, flush: (id) => dispatcher.flush(id) }, event),
    logger,
  });

  const registration: RegistrationDeps = {
    tokens,
    agents,
    certificates,
    signer: ca.signer,
    caCertificatePem: ca.certificatePem,
    clock,
    logger,
    tunnel: { host, port: broker.port, serverName: 'localhost', serverCaPem: brokerCert.certificatePem },
    webhookBaseUrl: `${publicUrl}/v1/hooks`,
    ...(options.certificateLifetimeMs !== undefined
      ? { certificateLifetimeMs: options.certificateLifetimeMs }
      : {}),
  };
  const monitor: BudgetMonitorDeps = {
    keys: new SqliteProviderKeyRepository(db),
    budgets: new SqliteBudgetRepository(db),
    history,
    alerts: budgetAlerts,
    custody,
    http: fetchHttpClient(),
    agents,
    clock,
    logger,
    tunnel: publisher,
    webhooks: fetchAlertWebhookSender({ allowPrivateTargets: true }),
    requestOptions: { timeoutMs: 30_000 },
  };
  const management: ManagementDeps = {
    agents,
    certificates,
    sources,
    deliveries: deliveryLog,
    presence,
    custody,
    tokens,
    clock,
    logger,
    webhookBaseUrl: `${publicUrl}/v1/hooks`,
    onSourceChanged: (agentId, sourceId) => directory.invalidate(agentId, sourceId),
    onAgentRevoked: async (agentId) => {
      await broker?.disconnect(agentId);
    },
    monitor,
  };

  dispatcher.start();
  let demo: SimulatedDemo | undefined;
  if (options.simulatedProvider) demo = await startSimulatedDemo(monitor);
  const scheduler = new BudgetScheduler(monitor, {
    intervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    sweep: () => {
      history.sweep(clock.now());
      budgetAlerts.sweep();
    },
  });
  scheduler.start();
  const sweeper = setInterval(() => dedupe.sweep(), 3600_000);
  sweeper.unref();
  writeFileSync(paths.info, JSON.stringify({ url, tokenFile: paths.managementToken, pid: process.pid }), {
    mode: 0o600,
  });

  return {
    url,
    publicUrl,
    tunnelPort: broker.port,
    dataDir: paths.dir,
    managementTokenFile: paths.managementToken,
    ...(demo ? { simulated: { url: demo.provider.url, keyId: demo.keyId, budgetId: demo.budgetId } } : {}),
    async pollBudgets() {
      await scheduler.pollNow();
    },
    async close() {
      clearInterval(sweeper);
      await scheduler.stop();
      await demo?.provider.close();
      dispatcher.stop();
      await broker?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      SqliteWriteBatcher.for(db).flush();
      SqliteWriteBatcher.for(db).afterCommit(undefined);
      SqliteWriteBatcher.for(db).onDeferredError(undefined);
      await checkpointer.stop();
      db.close();
    },
  };
}

/** The management bearer token: created once, kept 0600 in the data dir for the CLI and dashboard. */
function ensureManagementToken(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = `cpm_${randomBytes(32).toString('base64url')}`;
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return token;
}
