import type { Command } from 'commander';
import { type RecordedStack, recordedStackSchema } from '../../../agent/config/agentConfig.ts';
import { registerWithEdge } from '../../../agent/registration/registerWithEdge.ts';
import { type IotCorePort, iotCorePortOf } from '../../../agent/tunnel/iotCoreEndpoint.ts';
import { when } from '../../cli/managementCommand.ts';
import { print, UsageError } from '../../cli/output.ts';
import { chosenStack, type StackOptions, withStackOptions } from '../../cli/stackOptions.ts';
import { type AgentCommandOptions, agentAction, withAgentOptions } from './agentAction.ts';

interface RegisterOptions extends AgentCommandOptions, StackOptions {
  edge?: string;
  token: string;
  name?: string;
  force?: boolean;
  tunnelPort?: string;
}

/**
 * `clawpulsar agent register --edge URL --token T` (or `--stack NAME`, which reads the stack's
 * RegistrationUrl with your AWS credentials and records the stack in the agent's config): keys made
 * here, only the CSR and public key sent. The edge's answer says where the tunnel is (IoT Core for a
 * stack), and the agent connects there; `--tunnel-port 443` picks IoT Core's port 443 with ALPN instead
 * of 8883.
 */
export function registerAgentRegister(agent: Command): void {
  withAgentOptions(
    withStackOptions(
      agent
        .command('register')
        .description('register this machine as an agent: keys are generated here and never leave it')
        .option('--edge <url>', 'the edge URL the operator gave you')
        .requiredOption('--token <token>', 'the one-time registration token (`clawpulsar token create`)')
        .option('--name <host>', 'a label for the operator (default: this host name)')
        .option('--force', 'replace the agent registered in --dir (its routes are kept)')
        .option(
          '--tunnel-port <port>',
          'AWS IoT Core only: 443 (with ALPN x-amzn-mqtt-ca) where a network blocks 8883, or 8883',
        ),
    ),
  ).action(async (options: RegisterOptions) => {
    await agentAction(options, async (dir) => {
      // Checked before the one-time token is spent.
      const tunnelPort = options.tunnelPort !== undefined ? iotCorePortOf(options.tunnelPort) : undefined;
      const edge = await edgeOf(options);
      const registered = await registerWithEdge({
        dir,
        edgeUrl: edge.url,
        token: options.token,
        ...(options.name !== undefined ? { hostname: options.name } : {}),
        ...(options.force ? { force: true } : {}),
        ...(edge.stack ? { stack: edge.stack } : {}),
        ...(tunnelPort !== undefined ? { tunnelPort } : {}),
      });
      const webhookUrl = `${registered.webhookBaseUrl.replace(/\/$/, '')}/${registered.agentId}/<source-id>`;
      const { tunnel, stack } = registered;
      const warnings = portWarning(tunnelPort, tunnel);
      print(
        options,
        { ...registered, webhookUrlPattern: webhookUrl, ...(warnings.length ? { warnings } : {}) },
        [
          `Registered agent "${registered.agentId}".`,
          `  certificate expires  ${when(registered.notAfter)} (renewed automatically while the agent runs)`,
          `  webhook URLs         ${webhookUrl}`,
          `  tunnel               ${tunnel.host}:${tunnel.port}${tunnel.alpn ? ` (ALPN ${tunnel.alpn})` : ''}`,
          ...(stack
            ? [`  stack                ${stack.name}${stack.region ? ` in ${stack.region}` : ''}`]
            : []),
          `  agent home           ${registered.dir}`,
          ...warnings.map((warning) => `\nNote: ${warning}`),
          '',
          'Next, tell the agent where each source goes, then start it:',
          `  clawpulsar agent route add --source <source-id> --target http://127.0.0.1:18789/hooks/<name> --header 'Authorization: Bearer <openclaw-token>'`,
          '  clawpulsar agent run',
        ].join('\n'),
      );
    });
  });
}

/**
 * `--tunnel-port` for an edge whose tunnel turned out not to be IoT Core: the registration stands (its
 * token is spent), on the port the edge announced, and the user is told so.
 */
function portWarning(requested: IotCorePort | undefined, tunnel: { port: number }): string[] {
  if (requested === undefined || tunnel.port === requested) return [];
  return [
    `--tunnel-port applies to an AWS IoT Core tunnel only; this edge's tunnel is its own broker, so the agent connects to port ${tunnel.port}, as the edge announced.`,
  ];
}

/** `--edge`, or the RegistrationUrl of `--stack` (or $CLAWPULSAR_STACK), with the stack to record. */
async function edgeOf(options: RegisterOptions): Promise<{ url: string; stack?: RecordedStack }> {
  const stack = chosenStack(options);
  if (stack) {
    const { resolveStackTarget } = await import('../../cli/resolveStackTarget.ts');
    const found = await resolveStackTarget(stack);
    // DescribeStacks answers with the stack's name even when asked by ARN; anything else isn't recorded.
    const recorded = recordedStackSchema.safeParse({ name: found.stackName, region: found.region });
    return { url: found.edgeUrl, ...(recorded.success ? { stack: recorded.data } : {}) };
  }
  if (options.edge === undefined) {
    throw new UsageError(
      'Give the edge with --edge URL (from the operator), or a deployed stack with --stack NAME',
    );
  }
  return { url: options.edge };
}
