import type { Command } from 'commander';
import { readAgentConfig } from '../../../agent/config/agentConfigFile.ts';
import { loadAgentCredentials } from '../../../agent/credentials/AgentCredentials.ts';
import { agentPaths } from '../../../agent/home/agentPaths.ts';
import { when } from '../../cli/managementCommand.ts';
import { print } from '../../cli/output.ts';
import { type AgentCommandOptions, agentAction, withAgentOptions } from './agentAction.ts';

/**
 * `clawpulsar agent status`: identity, the tunnel and the stack it registered with, certificate validity
 * and routes, read from the agent home.
 */
export function registerAgentStatus(agent: Command): void {
  withAgentOptions(
    agent.command('status').description('this agent’s id, tunnel, stack, certificate expiry and routes'),
  ).action(async (options: AgentCommandOptions) => {
    await agentAction(options, (dir) => {
      const paths = agentPaths(dir);
      const config = readAgentConfig(paths);
      const { tls } = loadAgentCredentials(paths);
      const now = Date.now();
      const renewAt = tls.notAfter - (tls.notAfter - tls.notBefore) * config.renewal.remainingFraction;
      const routes = Object.fromEntries(
        Object.entries(config.routes).map(([source, r]) => [source, r.target]),
      );
      const status = {
        agentId: config.agentId,
        dir: paths.dir,
        edgeUrl: config.edgeUrl,
        stack: config.stack ?? null,
        tunnel: `${config.tunnel.host}:${config.tunnel.port}`,
        tunnelAlpn: config.tunnel.alpn ?? null,
        webhookBaseUrl: config.webhookBaseUrl,
        certificate: {
          notBefore: tls.notBefore,
          notAfter: tls.notAfter,
          expired: now >= tls.notAfter,
          renewsAfter: Math.round(renewAt),
        },
        routes,
        defaultRoute: config.defaultRoute?.target ?? null,
        allowlist: config.allowlist,
      };
      const routeLines = Object.entries(routes).map(([source, target]) => `    ${source} → ${target}`);
      if (config.defaultRoute) routeLines.push(`    * → ${config.defaultRoute.target}`);
      print(
        options,
        status,
        [
          `agent        ${config.agentId}`,
          `home         ${paths.dir}`,
          `tunnel       ${status.tunnel}${config.tunnel.alpn ? ` with ALPN ${config.tunnel.alpn}` : ''} (edge ${config.edgeUrl})`,
          ...(config.stack
            ? [`stack        ${config.stack.name}${config.stack.region ? ` in ${config.stack.region}` : ''}`]
            : []),
          `webhooks     ${config.webhookBaseUrl.replace(/\/$/, '')}/${config.agentId}/<source-id>`,
          `certificate  ${status.certificate.expired ? 'EXPIRED at' : 'valid until'} ${when(tls.notAfter)}${
            status.certificate.expired
              ? ' — register again with a new token (`clawpulsar token create` on the edge)'
              : `, renewed after ${when(status.certificate.renewsAfter)} while the agent runs`
          }`,
          `routes${routeLines.length ? `\n${routeLines.join('\n')}` : '       none yet (clawpulsar agent route add …)'}`,
          `allowlist    ${config.allowlist.join(', ')}`,
        ].join('\n'),
      );
      if (status.certificate.expired) process.exitCode = 1;
    });
  });
}
