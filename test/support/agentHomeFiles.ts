import {
  type AgentConfig,
  agentConfigSchema,
  type RecordedStack,
  type Route,
} from '../../agent/config/agentConfig.ts';
import { writeAgentConfig } from '../../agent/config/agentConfigFile.ts';
import { type AgentCredentials, loadAgentCredentials } from '../../agent/credentials/AgentCredentials.ts';
import { agentPaths } from '../../agent/home/agentPaths.ts';
import { ensurePrivateDir, writePrivateFile } from '../../agent/home/writePrivateFile.ts';
import { generateSealingKeyPair, sealingKeyToBase64url } from '../../lambdas/core/envelope/index.ts';
import { type ClientCertificateOptions, issueClient, type TestCa } from './opensslCa.ts';

export interface AgentHomeInput {
  readonly agentId: string;
  /** The edge's base URL: a stack's public base URL, or a local edge's. */
  readonly edgeUrl: string;
  /** The tunnel as the registration answer gives it (IoT Core's endpoint for a stack); `host` may be a loopback stand-in. */
  readonly tunnel: {
    readonly host: string;
    readonly port: number;
    readonly serverName: string;
    readonly alpn?: string;
  };
  /** The edge's issuing CA (the stack's KMS-backed CA), which signs the agent certificate. */
  readonly issuingCa: TestCa;
  /** Signs the agent certificate instead: a CA the broker never trusted (revoked, removed, foreign). */
  readonly certificateFrom?: TestCa;
  readonly certificate?: ClientCertificateOptions;
  /** The broker's CA as registration delivered it (Amazon Root CA 1 for a stack). */
  readonly serverCaPem: string;
  /** Default: one route, `github` to OpenClaw's default hooks URL. */
  readonly routes?: Record<string, Route>;
  /** The stack `agent register --stack` recorded; none by default, as with `--edge URL` or older versions. */
  readonly stack?: RecordedStack;
}

/**
 * The agent home that `clawpulsar agent register` leaves behind (config, 24 h certificate and chain, the
 * broker's CA, the sealing key, all 0600), written with the agent's own file code, so doctor reads it
 * exactly as it reads a real registration: with `--stack NAME`, a tunnel to IoT Core's endpoint. The
 * certificate is made by openssl.
 *
 * @example
 * const { config, credentials } = writeAgentHome(dir, { agentId: 'laptop', edgeUrl, tunnel, issuingCa, serverCaPem });
 */
export function writeAgentHome(
  dir: string,
  input: AgentHomeInput,
): { config: AgentConfig; credentials: AgentCredentials } {
  const paths = agentPaths(dir);
  ensurePrivateDir(dir);
  const issuer = input.certificateFrom ?? input.issuingCa;
  const certificate = issueClient(issuer, input.agentId, input.certificate);
  writePrivateFile(paths.tlsKey, certificate.keyPem);
  writePrivateFile(paths.certificate, certificate.certPem);
  writePrivateFile(paths.caChain, issuer.certPem);
  writePrivateFile(paths.serverCa, input.serverCaPem);
  writePrivateFile(paths.sealingKey, `${sealingKeyToBase64url(generateSealingKeyPair().privateKey)}\n`);
  const config = agentConfigSchema.parse({
    version: 1,
    agentId: input.agentId,
    edgeUrl: input.edgeUrl,
    webhookBaseUrl: `${input.edgeUrl}/v1/hooks`,
    tunnel: input.tunnel,
    ...(input.stack ? { stack: input.stack } : {}),
    routes: input.routes ?? { github: { target: 'http://127.0.0.1:18789/hooks/github' } },
  });
  writeAgentConfig(paths, config);
  return { config, credentials: loadAgentCredentials(paths) };
}
