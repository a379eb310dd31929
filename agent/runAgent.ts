import { existsSync, unwatchFile, watchFile } from 'node:fs';
import { EnvelopeReassembler } from '../lambdas/core/delivery/EnvelopeReassembler.ts';
import { controlMessageSchema, parseMessage } from '../lambdas/core/delivery/messages.ts';
import { topicsFor } from '../lambdas/core/delivery/topics.ts';
import { ClawPulsarError } from '../lambdas/core/errors.ts';
import type { Clock, Logger } from '../lambdas/core/ports.ts';
import { BudgetAlertHandler } from './alerts/BudgetAlertHandler.ts';
import type { AgentConfig } from './config/agentConfig.ts';
import { readAgentConfig } from './config/agentConfigFile.ts';
import { loadAgentCredentials, type TlsCredentials } from './credentials/AgentCredentials.ts';
import { installCredentials, recoverCredentialInstall } from './credentials/installCredentials.ts';
import { ConcurrencyLimiter } from './delivery/ConcurrencyLimiter.ts';
import { DeliveryProcessor, type Routing } from './delivery/DeliveryProcessor.ts';
import { OutcomeStore } from './delivery/OutcomeStore.ts';
import { LocalForwarder } from './forward/LocalForwarder.ts';
import { agentPaths } from './home/agentPaths.ts';
import { CertificateRenewer } from './renewal/CertificateRenewer.ts';
import { TargetAllowlist } from './routing/TargetAllowlist.ts';
import { TunnelClient } from './tunnel/TunnelClient.ts';

/** Envelopes held in the agent at once (waiting for a slot or a retry) before it stops reading the tunnel. */
const MAX_PENDING_PER_SLOT = 64;
const PURGE_INTERVAL_MS = 60 * 60_000;
const CONFIG_POLL_MS = 1_000;

/** Why the agent stopped: asked to, revoked by the operator, or its certificate ran out. */
export type AgentExit = 'stopped' | 'revoked' | 'expired';

export interface RunAgentOptions {
  readonly dir: string;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Reconnect backoff; the defaults (1 s doubling to 60 s) suit production. */
  readonly reconnect?: { readonly baseMs?: number; readonly maxMs?: number };
}

export interface RunningAgent {
  readonly agentId: string;
  /** Settles when the agent has stopped, with the reason. */
  readonly done: Promise<AgentExit>;
  readonly tunnel: TunnelClient;
  /** Current TLS credentials (they change on renewal). */
  readonly credentials: () => TlsCredentials;
  /** Renews the certificate now rather than when it is due; true once installed and reconnected. */
  renewCertificate(): Promise<boolean>;
  stop(): Promise<AgentExit>;
}

/**
 * Runs the relay client from an agent home: one outbound mTLS MQTT connection, envelopes opened and
 * forwarded to the routes in `config.json` (re-read when it changes; a tunnel moved there, e.g. to
 * IoT Core's port 443, is reconnected to at once), outcomes acked, the certificate
 * renewed over the tunnel. Stops on `stop()`, on a `revoked` control message, or when the certificate
 * has expired (it can then no longer be renewed: register again).
 *
 * Errors at start: `not_registered`, `config_invalid`, `key_file_exposed`, `certificate_expired`, …
 *
 * @example
 * const agent = await runAgent({ dir, logger });
 * process.once('SIGTERM', () => void agent.stop());
 * const why = await agent.done;
 */
export async function runAgent(options: RunAgentOptions): Promise<RunningAgent> {
  const clock = options.clock ?? { now: () => Date.now() };
  const { logger } = options;
  const paths = agentPaths(options.dir);
  if (existsSync(paths.dir) && recoverCredentialInstall(paths))
    logger.warn('credential_install_recovered', {});
  const config = readAgentConfig(paths);
  const credentials = loadAgentCredentials(paths);
  let tls = credentials.tls;
  assertNotExpired(tls, clock.now());
  const { agentId } = config;
  const topics = topicsFor(agentId);

  // First: it takes the home's exclusive lock, so a second agent on the same home stops here.
  const outcomes = new OutcomeStore(paths.outcomes);
  outcomes.purge(clock.now());
  const purgeTimer = setInterval(() => outcomes.purge(clock.now()), PURGE_INTERVAL_MS);
  purgeTimer.unref();

  let routing: Routing = routingOf(config);
  let alertsConfig = config.alerts;
  const onConfigChange = () => {
    try {
      const next = readAgentConfig(paths);
      routing = routingOf(next);
      alertsConfig = next.alerts;
      logger.info('config_reloaded', { routes: Object.keys(routing.config.routes).length });
      // A tunnel moved in the config (`clawpulsar agent tunnel set --port 443`) is reached at once: a
      // blocked port would otherwise keep the agent away until it restarts.
      if (!stopping && !sameEndpoint(tunnel.endpoint, next.tunnel)) {
        logger.info('tunnel_endpoint_changed', {
          broker: `${next.tunnel.host}:${next.tunnel.port}`,
          alpn: next.tunnel.alpn ?? null,
        });
        void tunnel.switchEndpoint(next.tunnel);
      }
    } catch (error) {
      logger.error('config_invalid', { error: (error as Error).message });
    }
  };
  watchFile(paths.config, { interval: CONFIG_POLL_MS, persistent: false }, onConfigChange);

  const concurrency = config.forwarding.concurrency;
  const forwarder = new LocalForwarder({
    lookup: (hostname, lookupOptions, callback) =>
      routing.allowlist.lookup(hostname, lookupOptions, callback),
    maxSockets: concurrency,
  });
  let tunnel: TunnelClient;
  const processor = new DeliveryProcessor({
    agentId,
    sealingPrivateKey: credentials.sealingPrivateKey,
    routing: () => routing,
    forwarder,
    limiter: new ConcurrencyLimiter(concurrency),
    outcomes,
    ack: (ack) => {
      tunnel.publish(topics.acks, JSON.stringify(ack)).catch((error: Error) => {
        logger.warn('ack_not_sent', { envelopeId: ack.envelopeId, error: error.message });
      });
    },
    logger,
    clock,
  });
  const reassembler = new EnvelopeReassembler();
  const budgetAlerts = new BudgetAlertHandler({
    alerts: () => alertsConfig,
    allowlist: () => routing.allowlist,
    forwarder,
    outcomes,
    logger,
    clock,
  });

  let finish: (exit: AgentExit) => void = () => {};
  const done = new Promise<AgentExit>((resolve) => {
    finish = resolve;
  });
  let stopping: Promise<AgentExit> | undefined;
  const stop = (exit: AgentExit): Promise<AgentExit> => {
    stopping ??= (async () => {
      renewer.stop();
      clearInterval(purgeTimer);
      unwatchFile(paths.config, onConfigChange);
      await processor.stop();
      // An alert action under way (a wake being retried) gets a few seconds to finish.
      await Promise.race([budgetAlerts.idle(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      await tunnel.stop();
      forwarder.close();
      outcomes.close();
      logger.info('agent_stopped', { agentId, reason: exit });
      finish(exit);
      return exit;
    })();
    return stopping;
  };

  const renewer = new CertificateRenewer({
    agentId,
    options: config.renewal,
    current: () => tls,
    sendCsr: async (payload) => {
      // The reply comes on `cert/issued`: only ask once that subscription is in place.
      await tunnel.waitReady();
      await tunnel.publish(topics.csr, payload);
    },
    install: (next, csrPem) => {
      installCredentials(paths, {
        keyPem: next.keyPem,
        csrPem,
        certificatePem: next.certificatePem,
        caChainPem: next.caChainPem,
      });
      tls = next;
    },
    reconnect: () => tunnel.reconnectNow(),
    logger,
    clock,
  });

  const onMessage = (topic: string, payload: Buffer) => {
    if (topic === topics.deliveries) {
      let whole: ReturnType<EnvelopeReassembler['accept']>;
      try {
        whole = reassembler.accept(payload, clock.now());
      } catch (error) {
        logger.warn('frame_rejected', {
          bytes: payload.byteLength,
          code: (error as ClawPulsarError).code ?? 'invalid',
        });
        return;
      }
      if (whole) void processor.handle(whole.envelopeId, whole.envelope);
    } else if (topic === topics.issued) {
      renewer.accept(payload);
    } else if (topic === topics.control) {
      onControl(payload);
    } else if (topic === topics.alerts) {
      budgetAlerts.accept(payload);
    }
  };
  const onControl = (payload: Buffer) => {
    let type: string;
    try {
      type = parseMessage(controlMessageSchema, payload, 'control').type;
    } catch (error) {
      logger.warn('control_invalid', { error: (error as Error).message });
      return;
    }
    if (type === 'revoked') {
      logger.error('agent_revoked', {
        agentId,
        next: 'The operator revoked this agent: it stops now. To use it again, ask for a new registration token (`clawpulsar token create`) and run `clawpulsar agent register`.',
      });
      void stop('revoked');
    } else {
      logger.info('certificate_superseded', { agentId });
    }
  };

  tunnel = new TunnelClient({
    agentId,
    endpoint: config.tunnel,
    serverCaPem: credentials.serverCaPem,
    credentials: () => tls,
    logger,
    onMessage,
    backpressure: () => processor.belowLimit(concurrency * MAX_PENDING_PER_SLOT),
    ...(options.reconnect ? { reconnect: options.reconnect } : {}),
  });
  const expiryTimer = setInterval(() => {
    if (clock.now() >= tls.notAfter) {
      logger.error('certificate_expired', { agentId, next: expiredAdvice(tls) });
      void stop('expired');
    }
  }, 10_000);
  expiryTimer.unref();
  void done.then(() => clearInterval(expiryTimer));

  logger.info('agent_starting', {
    agentId,
    broker: `${config.tunnel.host}:${config.tunnel.port}`,
    routes: Object.keys(config.routes).length,
    certificateExpires: new Date(tls.notAfter).toISOString(),
  });
  tunnel.start();
  renewer.start();
  return {
    agentId,
    done,
    tunnel,
    credentials: () => tls,
    renewCertificate: () => renewer.renew(),
    stop: () => stop('stopped'),
  };
}

function sameEndpoint(a: AgentConfig['tunnel'], b: AgentConfig['tunnel']): boolean {
  return a.host === b.host && a.port === b.port && a.serverName === b.serverName && a.alpn === b.alpn;
}

function routingOf(config: AgentConfig): Routing {
  return { config, allowlist: new TargetAllowlist(config.allowlist) };
}

function assertNotExpired(tls: TlsCredentials, now: number): void {
  if (now >= tls.notAfter) {
    throw new ClawPulsarError('certificate_expired', expiredAdvice(tls), 400, { notAfter: tls.notAfter });
  }
}

function expiredAdvice(tls: TlsCredentials): string {
  return `The agent certificate expired at ${new Date(tls.notAfter).toISOString()} and can no longer be renewed over the tunnel. Ask the operator for a new registration token (\`clawpulsar token create\`) and run \`clawpulsar agent register --edge URL --token T\` again.`;
}
