import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { generateSealingKeyPair, sealingKeyToBase64url } from '../../lambdas/core/envelope/index.ts';
import {
  BadRequestError,
  ClawPulsarError,
  ConflictError,
  UnauthorizedError,
} from '../../lambdas/core/errors.ts';
import {
  type RegistrationRequest,
  type RegistrationResponse,
  registrationResponseSchema,
} from '../../lambdas/core/registration/registrationMessages.ts';
import { type AgentConfig, agentConfigSchema, type RecordedStack } from '../config/agentConfig.ts';
import { readAgentConfig, writeAgentConfig } from '../config/agentConfigFile.ts';
import { certificateForKey } from '../credentials/AgentCredentials.ts';
import { createTlsKeyAndCsr } from '../credentials/createTlsKeyAndCsr.ts';
import { installCredentials } from '../credentials/installCredentials.ts';
import { agentPaths } from '../home/agentPaths.ts';
import { ensurePrivateDir, writePrivateFile } from '../home/writePrivateFile.ts';
import {
  type IotCorePort,
  iotCoreRegion,
  isIotCorePort,
  withIotCorePort,
} from '../tunnel/iotCoreEndpoint.ts';

export interface RegisterOptions {
  readonly dir: string;
  /** The edge's base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com` or `http://127.0.0.1:8787`. */
  readonly edgeUrl: string;
  readonly token: string;
  /** A label for the operator's list of agents; defaults to this machine's host name. */
  readonly hostname?: string;
  /**
   * Replace an agent already registered in `dir`: its routes, allowlist, alert action and tuning are
   * kept, and so are its stack and IoT Core port when it registers again with the same edge.
   */
  readonly force?: boolean;
  /**
   * The deployed stack `edgeUrl` belongs to (`--stack NAME`), recorded so that commands about it need no
   * `--stack`. Default: the one recorded before when `force` replaces an agent of the same edge.
   */
  readonly stack?: RecordedStack;
  /**
   * IoT Core's port for the tunnel, 8883 or 443 (with ALPN), instead of the one the edge announced;
   * applied only when the tunnel is IoT Core (see `RegisteredAgent.tunnel`).
   */
  readonly tunnelPort?: IotCorePort;
  readonly timeoutMs?: number;
}

export interface RegisteredAgent {
  readonly agentId: string;
  readonly dir: string;
  readonly notAfter: number;
  readonly webhookBaseUrl: string;
  /** Where the agent's tunnel connects, as stored in its config. */
  readonly tunnel: { readonly host: string; readonly port: number; readonly alpn?: string };
  readonly stack?: RecordedStack;
}

const NEW_TOKEN_ADVICE =
  'Registration tokens are one-time and short-lived: ask the operator for a new one (`clawpulsar token create`) and run this command again.';

/**
 * Registers this machine's agent with an edge: generates the TLS key (ECDSA P-256) and the sealing key
 * (X25519) here, sends only the CSR and the public sealing key with the one-time token to
 * `POST {edge}/v1/register`, checks the answer (schema, and that the certificate is for our key), and
 * stores keys, certificate, CA chain, broker CA and `config.json` in `dir`, all 0600.
 *
 * Errors: `edge_url_invalid`, `edge_url_insecure`, `already_registered`, `edge_unreachable`,
 * `registration_token_invalid` (with what to do next), `registration_refused`, `registration_failed`,
 * `registration_response_invalid`, `certificate_key_mismatch`.
 *
 * @example
 * const agent = await registerWithEdge({ dir, edgeUrl: 'http://127.0.0.1:8787', token });
 */
export async function registerWithEdge(options: RegisterOptions): Promise<RegisteredAgent> {
  const edge = edgeBaseUrl(options.edgeUrl);
  const paths = agentPaths(options.dir);
  const previous = existsSync(paths.config) ? readAgentConfig(paths) : undefined;
  if (previous && !options.force) {
    throw new ConflictError(
      'already_registered',
      `${paths.dir} already holds agent "${previous.agentId}". Use --force to replace it (routes are kept), or --dir for another agent.`,
      { agentId: previous.agentId },
    );
  }
  const tlsKey = createTlsKeyAndCsr(options.hostname ?? 'clawpulsar-agent');
  const sealing = generateSealingKeyPair();
  const request: RegistrationRequest = {
    token: options.token,
    csrPem: tlsKey.csrPem,
    sealingPublicKey: sealingKeyToBase64url(sealing.publicKey),
    hostname: (options.hostname ?? osHostname()).slice(0, 255),
  };
  const response = await postRegistration(edge, request, options.timeoutMs ?? 30_000);
  const validity = certificateForKey(response.certificatePem, tlsKey.privateKeyPem);

  ensurePrivateDir(paths.dir);
  installCredentials(paths, {
    keyPem: tlsKey.privateKeyPem,
    csrPem: tlsKey.csrPem,
    certificatePem: response.certificatePem,
    caChainPem: response.caChainPem,
  });
  writePrivateFile(paths.sealingKey, `${sealingKeyToBase64url(sealing.privateKey)}\n`);
  writePrivateFile(paths.serverCa, response.tunnel.serverCaPem);
  const { serverCaPem: _serverCa, ...announced } = response.tunnel;
  const edgeUrl = edge.href.replace(/\/$/, '');
  const sameEdge = previous?.edgeUrl === edgeUrl;
  // Registering again on the network that made the user switch to 443 must not switch back to 8883.
  const chosenBefore =
    sameEdge &&
    previous.tunnel.host === announced.host &&
    previous.tunnel.port !== announced.port &&
    isIotCorePort(previous.tunnel.port)
      ? previous.tunnel.port
      : undefined;
  const port = options.tunnelPort ?? chosenBefore;
  const tunnel =
    port !== undefined && iotCoreRegion(announced.serverName) !== undefined
      ? withIotCorePort(announced, port)
      : announced;
  const stack = options.stack ?? (sameEdge ? previous.stack : undefined);
  const config: AgentConfig = agentConfigSchema.parse({
    version: 1,
    agentId: response.agentId,
    edgeUrl,
    webhookBaseUrl: response.webhookBaseUrl,
    tunnel,
    ...(stack ? { stack } : {}),
    routes: previous?.routes ?? {},
    ...(previous?.defaultRoute ? { defaultRoute: previous.defaultRoute } : {}),
    ...(previous
      ? {
          allowlist: previous.allowlist,
          forwarding: previous.forwarding,
          renewal: previous.renewal,
          alerts: previous.alerts,
        }
      : {}),
  });
  writeAgentConfig(paths, config);
  return {
    agentId: response.agentId,
    dir: paths.dir,
    notAfter: validity.notAfter,
    webhookBaseUrl: response.webhookBaseUrl,
    tunnel: { host: tunnel.host, port: tunnel.port, ...(tunnel.alpn ? { alpn: tunnel.alpn } : {}) },
    ...(stack ? { stack } : {}),
  };
}

/** Loopback edges may use plain http (the local edge); anything else must be https, the token is a credential. */
function edgeBaseUrl(value: string): URL {
  const url = URL.parse(value);
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw new BadRequestError(
      'edge_url_invalid',
      `--edge must be an https:// URL (or http:// on this machine), got "${value}"`,
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (url.protocol === 'http:' && !loopback) {
    throw new BadRequestError(
      'edge_url_insecure',
      `--edge ${url.origin} is plain http on another machine; the registration token would travel in clear. Use https://.`,
    );
  }
  url.search = '';
  url.hash = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

async function postRegistration(
  edge: URL,
  request: RegistrationRequest,
  timeoutMs: number,
): Promise<RegistrationResponse> {
  const endpoint = new URL('v1/register', edge);
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (cause) {
    const code = ((cause as { cause?: { code?: string } }).cause?.code ?? (cause as Error).name) || 'error';
    throw new ClawPulsarError(
      'edge_unreachable',
      `Could not reach the edge at ${endpoint.origin} (${code}). Check --edge and that the edge is running.`,
      503,
      { code },
      { cause },
    );
  }
  const text = await response.text();
  if (!response.ok) throw refusal(response.status, text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = registrationResponseSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ClawPulsarError(
      'registration_response_invalid',
      `The edge answered with an unexpected registration response (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}). Is --edge a ClawPulsar edge of the same version?`,
      502,
    );
  }
  return parsed.data;
}

function refusal(status: number, body: string): ClawPulsarError {
  let code = 'error';
  let message = `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    if (typeof parsed.error?.code === 'string') code = parsed.error.code.slice(0, 100);
    if (typeof parsed.error?.message === 'string') message = parsed.error.message.slice(0, 300);
  } catch {
    // Not our error format (a proxy's page): the status says enough.
  }
  if (status === 401 || status === 403 || code === 'registration_token_invalid') {
    return new UnauthorizedError(
      'registration_token_invalid',
      `The edge refused the token: ${message}. ${NEW_TOKEN_ADVICE}`,
      {
        status,
        code,
      },
    );
  }
  if (status >= 500) {
    return new ClawPulsarError(
      'registration_failed',
      `The edge failed to register the agent (${message}); try again in a moment.`,
      502,
      {
        status,
        code,
      },
    );
  }
  return new BadRequestError(
    'registration_refused',
    `The edge refused the registration: ${message} (${code}).`,
    { status, code },
  );
}
