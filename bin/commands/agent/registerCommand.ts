import type { Command } from 'commander';
import { registerWithEdge } from '../../../agent/registration/registerWithEdge.ts';
import { when } from '../../cli/managementCommand.ts';
import { print, UsageError } from '../../cli/output.ts';
import { chosenStack, type StackOptions, withStackOptions } from '../../cli/stackOptions.ts';
import { type AgentCommandOptions, agentAction, withAgentOptions } from './agentAction.ts';

interface RegisterOptions extends AgentCommandOptions, StackOptions {
  edge?: string;
  token: string;
  name?: string;
  force?: boolean;
}

/**
 * `clawpulsar agent register --edge URL --token T` (or `--stack NAME`, which reads the stack's
 * RegistrationUrl with your AWS credentials): keys made here, only the CSR and public key sent. The
 * edge's answer says where the tunnel is (IoT Core for a stack), and the agent connects there.
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
        .option('--force', 'replace the agent registered in --dir (its routes are kept)'),
    ),
  ).action(async (options: RegisterOptions) => {
    await agentAction(options, async (dir) => {
      const registered = await registerWithEdge({
        dir,
        edgeUrl: await edgeUrlOf(options),
        token: options.token,
        ...(options.name !== undefined ? { hostname: options.name } : {}),
        ...(options.force ? { force: true } : {}),
      });
      const webhookUrl = `${registered.webhookBaseUrl.replace(/\/$/, '')}/${registered.agentId}/<source-id>`;
      print(
        options,
        { ...registered, webhookUrlPattern: webhookUrl },
        [
          `Registered agent "${registered.agentId}".`,
          `  certificate expires  ${when(registered.notAfter)} (renewed automatically while the agent runs)`,
          `  webhook URLs         ${webhookUrl}`,
          `  agent home           ${registered.dir}`,
          '',
          'Next, tell the agent where each source goes, then start it:',
          `  clawpulsar agent route add --source <source-id> --target http://127.0.0.1:18789/hooks/<name> --header 'Authorization: Bearer <openclaw-token>'`,
          '  clawpulsar agent run',
        ].join('\n'),
      );
    });
  });
}

/** `--edge`, or the RegistrationUrl of `--stack` (or $CLAWPULSAR_STACK). */
async function edgeUrlOf(options: RegisterOptions): Promise<string> {
  const stack = chosenStack(options);
  if (stack) {
    const { resolveStackTarget } = await import('../../cli/resolveStackTarget.ts');
    return (await resolveStackTarget(stack)).edgeUrl;
  }
  if (options.edge === undefined) {
    throw new UsageError(
      'Give the edge with --edge URL (from the operator), or a deployed stack with --stack NAME',
    );
  }
  return options.edge;
}
