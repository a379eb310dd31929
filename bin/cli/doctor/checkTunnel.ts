import type { AgentConfig } from '../../../agent/config/agentConfig.ts';
import type { AgentCredentials } from '../../../agent/credentials/AgentCredentials.ts';
import { agentDir as defaultAgentDir } from '../../../agent/home/agentPaths.ts';
import {
  IOT_ALPN,
  IOT_ALPN_PORT,
  IOT_MQTT_PORT,
  type IotCorePort,
  tunnelPortCommand,
} from '../../../agent/tunnel/iotCoreEndpoint.ts';
import { tunnelTlsTarget } from '../../../agent/tunnel/tunnelTlsTarget.ts';
import { check, type DoctorCheck } from './DoctorCheck.ts';
import {
  type EdgeKind,
  edgeKindOf,
  registerAgainAdvice,
  stackArguments,
  stackStatusCommand,
} from './EdgeKind.ts';
import { probeTls, type TlsProbeResult } from './probeTls.ts';

export interface TunnelCheckOptions {
  /** Default: from the agent's config (IoT Core as the tunnel means a stack). */
  readonly kind?: EdgeKind;
  /** The agent's config file, named in fixes that edit it. */
  readonly configPath?: string;
  /** The agent home, named (`--dir`) in the commands that fixes give when it is not the default one. */
  readonly agentDir?: string;
  readonly timeoutMs?: number;
  /** See TlsProbeTimeouts.verdictMs. */
  readonly verdictMs?: number;
  /** Where IoT Core also takes MQTT (with ALPN), tried when the configured port gets no answer. Default 443. */
  readonly alpnPort?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * The tunnel reachable with mutual TLS: a handshake with the agent's certificate against the broker's
 * CA, name and ALPN, kept open until the server has accepted the certificate (TLS 1.3 says so only
 * after the handshake), then closed; no MQTT session is opened. When IoT Core gets no answer on 8883,
 * port 443 with ALPN `x-amzn-mqtt-ca` is tried too, and the fix says how to switch when it works.
 *
 * @example
 * const result = await checkTunnel(config, credentials, { configPath: paths.config });
 */
export async function checkTunnel(
  config: AgentConfig,
  credentials: AgentCredentials,
  options: TunnelCheckOptions = {},
): Promise<DoctorCheck> {
  const { timeoutMs = 5000, verdictMs = 1500, alpnPort = IOT_ALPN_PORT, env = process.env } = options;
  const kind = options.kind ?? edgeKindOf(config.edgeUrl, config.tunnel, config.stack);
  const { host, port, alpn } = config.tunnel;
  const target = tunnelTlsTarget(config.tunnel, credentials.serverCaPem, credentials.tls);
  const where = `${host}:${port}`;
  const configFile = options.configPath ?? "the agent's config.json";
  const defaultDir = defaultAgentDir(undefined, env);
  const switchTo = (to: IotCorePort) =>
    `\`${tunnelPortCommand(to, options.agentDir ?? defaultDir, defaultDir)}\``;
  if (kind.kind === 'aws' && port === IOT_ALPN_PORT && !alpn) {
    // IoT Core answers 443 without ALPN as HTTPS: the handshake would pass and MQTT would not.
    return check(
      'tunnel',
      'fail',
      `The tunnel is set to IoT Core's port ${IOT_ALPN_PORT} without ALPN, where IoT Core speaks HTTPS, not MQTT`,
      alpnFix(switchTo),
    );
  }
  const timeouts = { timeoutMs, verdictMs };
  const outcome = await probeTls(target, timeouts);
  const advice = { kind, configFile, config, env, switchTo };

  if (outcome.result === 'accepted') {
    const details = [
      ...(kind.kind === 'aws' ? ['IoT Core'] : []),
      outcome.protocol,
      ...(outcome.alpn ? [`ALPN ${outcome.alpn}`] : []),
    ];
    return check('tunnel', 'ok', `Mutual TLS with the tunnel at ${where} (${details.join(', ')})`);
  }
  const blocked = outcome.result === 'timeout' || isBlockedPath(outcome);
  // IoT Core listens on 8883 and on 443; the path to the one may be open when the other is not.
  if (kind.kind === 'aws' && blocked && !alpn && port !== alpnPort) {
    const viaAlpn = await probeTls({ ...target, port: alpnPort, alpn: IOT_ALPN }, timeouts);
    const switchPort = `${switchTo(IOT_ALPN_PORT)} (it asks for ALPN ${IOT_ALPN}; a running agent reconnects there by itself)`;
    if (viaAlpn.result === 'accepted') {
      return check(
        'tunnel',
        'fail',
        `${failure(outcome, where, timeoutMs)}, but IoT Core accepts this agent on port ${alpnPort} with ALPN ${IOT_ALPN}`,
        `This network blocks outbound port ${port}: switch the agent to port ${IOT_ALPN_PORT} with ${switchPort}`,
      );
    }
    if (viaAlpn.result === 'refused') {
      return check(
        'tunnel',
        'fail',
        `${failure(outcome, where, timeoutMs)}; on port ${alpnPort} with ALPN ${IOT_ALPN}, IoT Core refused this agent's certificate (${viaAlpn.code})`,
        `${fixFor(viaAlpn, advice)}. This network blocks outbound port ${port}: then switch the agent to port ${IOT_ALPN_PORT} with ${switchPort}`,
      );
    }
    return check(
      'tunnel',
      'fail',
      `${failure(outcome, where, timeoutMs)}, nor on port ${alpnPort} with ALPN ${IOT_ALPN}`,
      `Allow outbound TCP to ${host} on port ${port} or ${alpnPort} (a firewall or proxy blocks both; HTTP proxies can't carry MQTT); \`${stackStatusCommand(kind, env)}\` (where AWS credentials are at hand) shows whether the stack is up`,
    );
  }
  return check('tunnel', 'fail', failure(outcome, where, timeoutMs, alpn), fixFor(outcome, advice));
}

type FailedProbe = Exclude<TlsProbeResult, { result: 'accepted' }>;

interface Advice {
  readonly kind: EdgeKind;
  readonly configFile: string;
  readonly config: AgentConfig;
  readonly env: NodeJS.ProcessEnv;
  /** The command that moves the tunnel to an IoT Core port, in backquotes. */
  readonly switchTo: (port: IotCorePort) => string;
}

/** Errors of a path that a firewall closes: dropped, rejected or reset before TLS began. */
function isBlockedPath(outcome: FailedProbe): boolean {
  return (
    outcome.result === 'unreachable' &&
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'closed'].includes(
      outcome.code,
    )
  );
}

function failure(outcome: FailedProbe, where: string, timeoutMs: number, alpn?: string): string {
  switch (outcome.result) {
    case 'timeout':
      return `No TLS answer from the tunnel at ${where} within ${timeoutMs / 1000} s`;
    case 'refused':
      return `The tunnel at ${where} refused this agent's certificate (${outcome.code})`;
    case 'untrusted':
      return `The tunnel at ${where} presented a certificate the agent does not trust (${outcome.code})`;
    case 'alpn_refused':
      return `The tunnel at ${where} did not take the agent's ALPN protocol "${alpn ?? ''}"`;
    case 'unreachable':
      return `TLS to the tunnel at ${where} failed (${outcome.code})`;
  }
}

function fixFor(outcome: FailedProbe, advice: Advice): string {
  const { kind, config, configFile, env, switchTo } = advice;
  const aws = kind.kind === 'aws';
  const stack = `\`${stackStatusCommand(kind, env)}\` (where AWS credentials are at hand)`;
  const port = config.tunnel.port;
  switch (outcome.result) {
    case 'refused':
      return aws
        ? `IoT Core no longer accepts this certificate: revoked, expired or removed with its agent (check \`clawpulsar agents list ${stackArguments(kind, env)}\`). ${registerAgainAdvice(kind, config.agentId, config.edgeUrl, env)}`
        : `The edge no longer accepts this certificate: revoked, expired, or the edge's data was reset. ${registerAgainAdvice(kind, config.agentId, config.edgeUrl, env)}`;
    case 'untrusted':
      return aws
        ? `IoT Core's certificate does not verify against the agent's server-ca.pem: something on this network intercepts TLS (a proxy or antivirus), or the file was changed. Let port ${port} through uninspected, or ${lowerFirst(registerAgainAdvice(kind, config.agentId, config.edgeUrl, env))}`
        : `The broker's certificate does not match what the agent registered with: ${lowerFirst(registerAgainAdvice(kind, config.agentId, config.edgeUrl, env))}`;
    case 'alpn_refused':
      return aws
        ? alpnFix(switchTo)
        : `The edge's tunnel takes no ALPN protocol: remove "alpn" under "tunnel" in ${configFile} (a running agent reconnects by itself)`;
    case 'timeout':
    case 'unreachable': {
      const code = outcome.result === 'unreachable' ? outcome.code : 'timeout';
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
        return aws
          ? `The IoT Core endpoint does not resolve: check this machine's DNS; if the stack was deleted, ${stack} says so`
          : 'The tunnel host does not resolve: check DNS or the edge URL you registered with';
      }
      if (aws) {
        return !config.tunnel.alpn
          ? `Allow outbound TCP to ${config.tunnel.host} on port ${port} (a firewall or proxy blocks it; HTTP proxies can't carry MQTT), or on ${IOT_ALPN_PORT}, where IoT Core takes the tunnel too with ALPN "${IOT_ALPN}": ${switchTo(IOT_ALPN_PORT)}; ${stack} shows whether the stack is up`
          : `Allow outbound TCP to ${config.tunnel.host} on port ${port} (a firewall or a TLS-inspecting proxy is in the way), or go back to IoT Core's MQTT port: ${switchTo(IOT_MQTT_PORT)}; ${stack} shows whether the stack is up`;
      }
      if (code === 'ECONNREFUSED') {
        return kind.kind === 'local'
          ? 'Nothing listens there: start the edge (`clawpulsar dev`)'
          : "Nothing listens there: is the edge running, and its tunnel port open to this machine? (`clawpulsar status` on the edge's machine)";
      }
      return outcome.result === 'timeout'
        ? 'Allow outbound connections to that port (firewall, proxy)'
        : 'Check the network path to the tunnel port';
    }
  }
}

function alpnFix(switchTo: Advice['switchTo']): string {
  return `IoT Core takes MQTT on ${IOT_ALPN_PORT} only with ALPN "${IOT_ALPN}": ${switchTo(IOT_ALPN_PORT)} sets it (or ${switchTo(IOT_MQTT_PORT)} for IoT Core's MQTT port); a running agent reconnects by itself`;
}

function lowerFirst(text: string): string {
  return `${text[0]?.toLowerCase() ?? ''}${text.slice(1)}`;
}
