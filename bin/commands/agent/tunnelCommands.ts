import type { Command } from 'commander';
import type { AgentConfig } from '../../../agent/config/agentConfig.ts';
import { readAgentConfig, writeAgentConfig } from '../../../agent/config/agentConfigFile.ts';
import { withTunnelPort } from '../../../agent/config/editConfig.ts';
import { agentDir, agentPaths } from '../../../agent/home/agentPaths.ts';
import {
  IOT_ALPN_PORT,
  IOT_MQTT_PORT,
  iotCorePortOf,
  iotCoreRegion,
  tunnelPortCommand,
} from '../../../agent/tunnel/iotCoreEndpoint.ts';
import { print } from '../../cli/output.ts';
import { type AgentCommandOptions, agentAction, withAgentOptions } from './agentAction.ts';

interface SetOptions extends AgentCommandOptions {
  port: string;
}

/** The tunnel for display and scripts; `alpn` null when none is asked for. */
function describe(tunnel: AgentConfig['tunnel']) {
  return {
    host: tunnel.host,
    port: tunnel.port,
    serverName: tunnel.serverName,
    alpn: tunnel.alpn ?? null,
    iotCore: iotCoreRegion(tunnel.serverName) !== undefined,
  };
}

/** `IoT Core at host:443 with ALPN x-amzn-mqtt-ca`, `the edge's broker at 127.0.0.1:8883` */
function sentence(shown: ReturnType<typeof describe>): string {
  return `${shown.iotCore ? 'IoT Core' : "the edge's broker"} at ${shown.host}:${shown.port}${shown.alpn ? ` with ALPN ${shown.alpn}` : ''}`;
}

/**
 * `clawpulsar agent tunnel show|set`: where this agent's tunnel connects. `set --port 443` moves an IoT
 * Core tunnel to port 443 with ALPN `x-amzn-mqtt-ca`, for networks that block outbound 8883; `--port
 * 8883` moves it back. A running agent reconnects there as soon as it sees the config change.
 */
export function registerAgentTunnel(agent: Command): void {
  const tunnel = agent
    .command('tunnel')
    .description('where this agent’s tunnel connects (IoT Core: 8883 or 443)');
  withAgentOptions(
    tunnel
      .command('set')
      .description('move an AWS IoT Core tunnel to port 443 (with ALPN x-amzn-mqtt-ca) or back to 8883')
      .requiredOption('--port <port>', '8883, or 443 where a network blocks 8883'),
  ).action(async (options: SetOptions) => {
    await agentAction(options, (dir) => {
      const port = iotCorePortOf(options.port);
      const paths = agentPaths(dir);
      const before = readAgentConfig(paths);
      const config = withTunnelPort(before, port);
      const changed = config.tunnel.port !== before.tunnel.port || config.tunnel.alpn !== before.tunnel.alpn;
      if (changed) writeAgentConfig(paths, config);
      const shown = describe(config.tunnel);
      print(
        options,
        { tunnel: shown, changed },
        changed
          ? `Tunnel: ${sentence(shown)}. A running agent reconnects there within a few seconds (\`clawpulsar doctor\` checks the path).`
          : `Tunnel: already ${sentence(shown)}.`,
      );
    });
  });
  withAgentOptions(tunnel.command('show').description('show where the tunnel connects')).action(
    async (options: AgentCommandOptions) => {
      await agentAction(options, (dir) => {
        const shown = describe(readAgentConfig(agentPaths(dir)).tunnel);
        print(
          options,
          { tunnel: shown },
          [
            `broker       ${sentence(shown)}`,
            `server name  ${shown.serverName}`,
            ...(shown.iotCore
              ? [
                  shown.port === IOT_ALPN_PORT
                    ? `switch       ${tunnelPortCommand(IOT_MQTT_PORT, dir, agentDir(undefined))} (IoT Core’s MQTT port)`
                    : `switch       ${tunnelPortCommand(IOT_ALPN_PORT, dir, agentDir(undefined))} (where a network blocks ${IOT_MQTT_PORT})`,
                ]
              : []),
          ].join('\n'),
        );
      });
    },
  );
}
