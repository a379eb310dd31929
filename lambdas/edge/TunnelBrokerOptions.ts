import * as z from 'zod';
import { ClawPulsarError } from '../core/errors.ts';
import type { Logger, PresenceEvent } from '../core/ports.ts';
import type { TunnelPeer } from './TunnelConnection.ts';

/** Agents only send small acks and CSRs; anything near this is not one of ours. */
export const DEFAULT_MAX_INBOUND_PACKET_BYTES = 256 * 1024;

/** Messages kept in memory for one disconnected agent before further publishes to it are skipped. */
export const DEFAULT_OFFLINE_QUEUE_LIMIT = 1000;

/** How the edge configures its tunnel broker. */
export interface TunnelBrokerOptions {
  /** Interface to listen on; default 127.0.0.1. */
  readonly host?: string;
  /** TCP port; default 0, an ephemeral port (read `port` after start). */
  readonly port?: number;
  readonly serverKeyPem: string;
  /** The broker's certificate, optionally followed by its chain. */
  readonly serverCertPem: string;
  /** The one CA certificate that issues agent certificates; nothing else can connect. */
  readonly clientCaPem: string;
  /**
   * Whether a TLS-verified agent certificate may use the tunnel (agent active, serial neither revoked nor
   * superseded, not expired). Asked on every CONNECT; false or a throw refuses with "not authorized".
   */
  readonly authorizeCertificate: (peer: TunnelPeer) => Promise<boolean> | boolean;
  /** An ack the agent published on its own `…/acks`; `agentId` comes from the connection. */
  readonly onAck: (agentId: string, payload: Uint8Array) => unknown;
  /** A CSR the agent published on its own `…/cert/csr`; `agentId` comes from the connection. */
  readonly onCsr: (agentId: string, payload: Uint8Array) => unknown;
  /**
   * Connects (once the session can receive: its deliveries subscription is in place) and disconnects,
   * delivered in order per agent.
   */
  readonly onPresence: (event: PresenceEvent) => unknown;
  readonly logger: Logger;
  /** Largest MQTT packet an agent may send; default 256 KiB. */
  readonly maxInboundPacketBytes?: number;
  /** Publishes kept for a disconnected agent's session; default 1000. */
  readonly offlineQueueLimit?: number;
}

/** The options with every default filled in. */
export type ResolvedTunnelBrokerOptions = TunnelBrokerOptions &
  Required<Pick<TunnelBrokerOptions, 'host' | 'port' | 'maxInboundPacketBytes' | 'offlineQueueLimit'>>;

const isFunction = (value: unknown) => typeof value === 'function';

const optionsSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(0),
  serverKeyPem: z.string().min(1),
  serverCertPem: z.string().min(1),
  clientCaPem: z.string().min(1),
  authorizeCertificate: z.custom(isFunction, 'must be a function'),
  onAck: z.custom(isFunction, 'must be a function'),
  onCsr: z.custom(isFunction, 'must be a function'),
  onPresence: z.custom(isFunction, 'must be a function'),
  logger: z.custom(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      ['info', 'warn', 'error'].every(
        (level) => typeof (value as Record<string, unknown>)[level] === 'function',
      ),
    'must be a Logger',
  ),
  maxInboundPacketBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(DEFAULT_MAX_INBOUND_PACKET_BYTES),
  offlineQueueLimit: z.number().int().min(0).default(DEFAULT_OFFLINE_QUEUE_LIMIT),
});

/**
 * Checks the broker's options and fills in defaults; a mistake is a deployment error (500
 * `invalid_tunnel_options`, naming the option, never its value).
 *
 * @example
 * const options = resolveTunnelBrokerOptions({ serverKeyPem, serverCertPem, clientCaPem, ... });
 */
export function resolveTunnelBrokerOptions(options: TunnelBrokerOptions): ResolvedTunnelBrokerOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'options';
    throw new ClawPulsarError(
      'invalid_tunnel_options',
      `Tunnel broker option ${where}: ${issue?.message ?? 'invalid'}`,
      500,
      { option: where },
    );
  }
  const { host, port, maxInboundPacketBytes, offlineQueueLimit } = parsed.data;
  return { ...options, host, port, maxInboundPacketBytes, offlineQueueLimit };
}
