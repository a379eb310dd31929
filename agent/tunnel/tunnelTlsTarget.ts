import type { ConnectionOptions } from 'node:tls';
import type { TunnelEndpoint } from '../../lambdas/core/registration/registrationMessages.ts';
import type { TlsCredentials } from '../credentials/AgentCredentials.ts';

/** Where the tunnel's mutual-TLS handshake goes, and what the agent presents and trusts there. */
export interface TunnelTlsTarget {
  readonly host: string;
  readonly port: number;
  /** SNI; IoT Core needs it to find the account and the registered CA. */
  readonly serverName: string;
  readonly alpn?: string;
  /** The CA that must have signed the broker's certificate. */
  readonly caPem: string;
  readonly keyPem: string;
  /** The client certificate followed by its issuers, so the broker can build the path to the CA it trusts. */
  readonly certificateChainPem: string;
}

/**
 * The tunnel's target from the agent's endpoint and credentials: the agent connects with it, and
 * `clawpulsar doctor` probes with the same.
 *
 * @example
 * const target = tunnelTlsTarget(config.tunnel, credentials.serverCaPem, credentials.tls);
 */
export function tunnelTlsTarget(
  endpoint: Omit<TunnelEndpoint, 'serverCaPem'>,
  serverCaPem: string,
  tls: Pick<TlsCredentials, 'keyPem' | 'certificatePem' | 'caChainPem'>,
): TunnelTlsTarget {
  return {
    host: endpoint.host,
    port: endpoint.port,
    serverName: endpoint.serverName,
    ...(endpoint.alpn ? { alpn: endpoint.alpn } : {}),
    caPem: serverCaPem,
    keyPem: tls.keyPem,
    certificateChainPem: `${tls.certificatePem.trimEnd()}\n${tls.caChainPem}`,
  };
}

/** node:tls options for a target: SNI always, ALPN when set, the broker verified against its CA, TLS 1.2+. */
export function tunnelTlsOptions(target: TunnelTlsTarget): ConnectionOptions {
  return {
    host: target.host,
    port: target.port,
    servername: target.serverName,
    ...(target.alpn ? { ALPNProtocols: [target.alpn] } : {}),
    key: target.keyPem,
    cert: target.certificateChainPem,
    ca: target.caPem,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
  };
}
