import { existsSync } from 'node:fs';
import { connect } from 'node:tls';
import type { AgentConfig } from '../../../agent/config/agentConfig.ts';
import { readAgentConfig } from '../../../agent/config/agentConfigFile.ts';
import { type AgentCredentials, loadAgentCredentials } from '../../../agent/credentials/AgentCredentials.ts';
import { agentPaths } from '../../../agent/home/agentPaths.ts';
import { ClawPulsarError } from '../../../lambdas/core/errors.ts';
import { check, type DoctorCheck } from './DoctorCheck.ts';

export interface AgentChecks {
  readonly checks: DoctorCheck[];
  readonly config?: AgentConfig;
  readonly credentials?: AgentCredentials;
}

const HOUR = 3_600_000;

/**
 * This machine's agent: registered, its certificate valid and not overdue for renewal, routes present.
 *
 * @example
 * const { checks, config } = checkAgent('/home/me/.clawpulsar/agent');
 */
export function checkAgent(dir: string, now = Date.now()): AgentChecks {
  const paths = agentPaths(dir);
  if (!existsSync(paths.config)) {
    return {
      checks: [
        check(
          'agent',
          'warn',
          `No agent is registered in ${dir}`,
          'Run `clawpulsar onboard` (or `clawpulsar agent register --edge URL --token T`)',
        ),
      ],
    };
  }
  let config: AgentConfig;
  let credentials: AgentCredentials;
  try {
    config = readAgentConfig(paths);
    credentials = loadAgentCredentials(paths);
  } catch (error) {
    const code = error instanceof ClawPulsarError ? error.code : 'error';
    return {
      checks: [
        check(
          'agent',
          'fail',
          error instanceof Error ? error.message : String(error),
          code === 'key_file_exposed'
            ? 'Run the chmod above'
            : 'Register again: `clawpulsar onboard --force`',
        ),
      ],
    };
  }
  const { notBefore, notAfter } = credentials.tls;
  const renewAfter = notAfter - (notAfter - notBefore) * config.renewal.remainingFraction;
  const left = notAfter - now;
  const checks: DoctorCheck[] = [
    check('agent', 'ok', `Agent "${config.agentId}" is registered with ${config.edgeUrl}`),
  ];
  if (left <= 0) {
    checks.push(
      check(
        'certificate',
        'fail',
        `The agent certificate expired at ${new Date(notAfter).toISOString()}`,
        'Register again with a new token: `clawpulsar token create` on the edge, then `clawpulsar agent register --force …`',
      ),
    );
  } else if (now >= renewAfter) {
    checks.push(
      check(
        'certificate',
        'warn',
        `The agent certificate expires in ${(left / HOUR).toFixed(1)} h and is due for renewal`,
        'Keep `clawpulsar agent run` running (it renews over the tunnel), e.g. `clawpulsar service install`',
      ),
    );
  } else {
    checks.push(
      check(
        'certificate',
        'ok',
        `The agent certificate is valid for ${(left / HOUR).toFixed(1)} h more (renewed while the agent runs)`,
      ),
    );
  }
  const routes = Object.keys(config.routes).length + (config.defaultRoute ? 1 : 0);
  checks.push(
    routes > 0
      ? check('routes', 'ok', `${routes} route${routes === 1 ? '' : 's'} to local targets`)
      : check(
          'routes',
          'warn',
          'The agent has no routes: every delivery would be refused',
          '`clawpulsar agent route add --source ID --target http://127.0.0.1:18789/hooks/ID`',
        ),
  );
  return { checks, config, credentials };
}

/**
 * The tunnel port reachable with TLS: a full mutual-TLS handshake with the agent's certificate against
 * the broker's CA and name, then an immediate close (no MQTT session is opened).
 */
export function checkTunnel(
  config: AgentConfig,
  credentials: AgentCredentials,
  timeoutMs = 5000,
): Promise<DoctorCheck> {
  const { host, port, serverName, alpn } = config.tunnel;
  const where = `${host}:${port}`;
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port,
      servername: serverName,
      ca: credentials.serverCaPem,
      key: credentials.tls.keyPem,
      cert: `${credentials.tls.certificatePem.trimEnd()}\n${credentials.tls.caChainPem}`,
      ...(alpn ? { ALPNProtocols: [alpn] } : {}),
      minVersion: 'TLSv1.2',
    });
    const finish = (result: DoctorCheck) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () =>
      finish(
        check(
          'tunnel',
          'fail',
          `No TLS answer from the tunnel at ${where} within ${timeoutMs / 1000} s`,
          'Allow outbound connections to that port (firewall, proxy)',
        ),
      ),
    );
    socket.once('secureConnect', () =>
      finish(
        check('tunnel', 'ok', `Mutual TLS with the tunnel at ${where} (${socket.getProtocol() ?? 'TLS'})`),
      ),
    );
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? 'error';
      const fix =
        code === 'ECONNREFUSED'
          ? 'Nothing listens there: start the edge (`clawpulsar dev`)'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'The tunnel host does not resolve: check DNS or the edge URL you registered with'
            : /CERT|SELF_SIGNED|ALTNAME|UNABLE_TO/.test(code)
              ? "The broker's certificate does not match what the agent registered with: register again (`clawpulsar onboard --force`)"
              : 'Check the network path to the tunnel port';
      finish(check('tunnel', 'fail', `TLS to the tunnel at ${where} failed (${code})`, fix));
    });
  });
}
