import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { SourceView } from '../../lambdas/core/management/SourceView.ts';
import { PROVIDER_IDS } from '../../lambdas/core/signatures/types.ts';
import {
  type ManagementOptions,
  runManagement,
  table,
  when,
  withManagementOptions,
} from '../cli/managementCommand.ts';
import { EXIT, print, printError } from '../cli/output.ts';

interface AddOptions extends ManagementOptions {
  agent: string;
  id: string;
  provider: string;
  secret?: string[];
  secretFile?: string;
  verifyToken?: string;
  tolerance?: string;
  genericHeader?: string;
  genericAlgorithm?: string;
  genericEncoding?: string;
  genericPrefix?: string;
  genericTemplate?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `clawpulsar source add|list|rotate|remove`: provider endpoints of an agent. */
export function registerSource(program: Command): void {
  const source = program.command('source').description('webhook sources: one provider endpoint of one agent');

  withManagementOptions(
    source
      .command('add')
      .description('add (or replace) a source and print the webhook URL to paste into the provider')
      .requiredOption('--agent <id>', 'the agent that receives it')
      .requiredOption('--id <sourceId>', 'a name for this source, e.g. github')
      .requiredOption('--provider <provider>', `one of: ${PROVIDER_IDS.join(', ')}`)
      .option('--secret <secret>', 'signing secret (or public key); repeat during a rotation', collect)
      .option(
        '--secret-file <file>',
        'read the signing secret from a file instead (keeps it out of shell history)',
      )
      .option('--verify-token <token>', "Meta's hub.verify_token for the subscription handshake")
      .option('--tolerance <seconds>', 'timestamp tolerance instead of the provider default')
      .option('--generic-header <name>', 'generic: header carrying the signature')
      .option('--generic-algorithm <alg>', 'generic: sha256, sha1 or sha512', 'sha256')
      .option('--generic-encoding <enc>', 'generic: hex or base64', 'hex')
      .option('--generic-prefix <prefix>', 'generic: text before the signature, e.g. sha256=')
      .option('--generic-template <template>', 'generic: signed content, e.g. {header:x-timestamp}.{body}'),
  ).action(async (options: AddOptions) => {
    const secrets = [...(options.secret ?? [])];
    if (options.secretFile) {
      try {
        secrets.unshift(readFileSync(options.secretFile, 'utf8').trim());
      } catch {
        printError(options, new Error(`Cannot read --secret-file ${options.secretFile}`));
        process.exitCode = EXIT.usage;
        return;
      }
    }
    if (secrets.length === 0) {
      printError(options, new Error('Give the signing secret with --secret S or --secret-file F'));
      process.exitCode = EXIT.usage;
      return;
    }
    const body = {
      provider: options.provider,
      secrets,
      ...(options.verifyToken ? { verifyToken: options.verifyToken } : {}),
      ...(options.tolerance ? { toleranceSeconds: Number(options.tolerance) } : {}),
      ...(options.provider === 'generic'
        ? {
            generic: {
              header: options.genericHeader ?? '',
              algorithm: options.genericAlgorithm,
              encoding: options.genericEncoding,
              ...(options.genericPrefix ? { prefix: options.genericPrefix } : {}),
              ...(options.genericTemplate ? { template: options.genericTemplate } : {}),
            },
          }
        : {}),
    };
    await runManagement(options, async (client) => {
      const view = await client.request<SourceView>(
        'PUT',
        `/v1/agents/${encodeURIComponent(options.agent)}/sources/${encodeURIComponent(options.id)}`,
        body,
      );
      print(
        options,
        view,
        [
          `Source "${view.sourceId}" (${view.provider}) for agent "${view.agentId}" is ready.`,
          '',
          'Paste this webhook URL into the provider:',
          `  ${view.webhookUrl}`,
          '',
          'On the agent machine, map it to a local target:',
          `  clawpulsar agent route add --source ${view.sourceId} --target http://127.0.0.1:18789/hooks/${view.sourceId}`,
        ].join('\n'),
      );
    });
  });

  withManagementOptions(
    source
      .command('list')
      .description('list sources and their webhook URLs')
      .option('--agent <id>', 'only this agent'),
  ).action(async (options: ManagementOptions & { agent?: string }) => {
    await runManagement(options, async (client) => {
      const query = options.agent ? `?agentId=${encodeURIComponent(options.agent)}` : '';
      const { sources } = await client.request<{ sources: SourceView[] }>('GET', `/v1/sources${query}`);
      const human = sources.length
        ? table(
            ['AGENT', 'SOURCE', 'PROVIDER', 'SECRETS', 'UPDATED', 'WEBHOOK URL'],
            sources.map((s) => [
              s.agentId,
              s.sourceId,
              s.provider,
              s.secretFingerprints.join(' '),
              when(s.updatedAt),
              s.webhookUrl,
            ]),
          )
        : 'No sources yet. Add one with: clawpulsar source add --agent ID --id github --provider github --secret-file F';
      print(options, { sources }, human);
    });
  });

  withManagementOptions(
    source
      .command('rotate')
      .description('put a new secret in front; the old ones stay valid unless --replace')
      .requiredOption('--agent <id>', 'agent id')
      .requiredOption('--id <sourceId>', 'source id')
      .requiredOption('--secret <secret>', 'the new secret')
      .option('--replace', 'drop the previous secrets at once'),
  ).action(
    async (options: ManagementOptions & { agent: string; id: string; secret: string; replace?: boolean }) => {
      await runManagement(options, async (client) => {
        const view = await client.request<SourceView>(
          'POST',
          `/v1/agents/${encodeURIComponent(options.agent)}/sources/${encodeURIComponent(options.id)}/rotate`,
          { secret: options.secret, keepPrevious: !options.replace },
        );
        print(options, view, `Source "${view.sourceId}" now accepts: ${view.secretFingerprints.join(', ')}`);
      });
    },
  );

  withManagementOptions(
    source
      .command('remove')
      .description('delete a source and its secrets')
      .requiredOption('--agent <id>', 'agent id')
      .requiredOption('--id <sourceId>', 'source id'),
  ).action(async (options: ManagementOptions & { agent: string; id: string }) => {
    await runManagement(options, async (client) => {
      await client.request(
        'DELETE',
        `/v1/agents/${encodeURIComponent(options.agent)}/sources/${encodeURIComponent(options.id)}`,
      );
      print(options, { deleted: true }, `Source "${options.id}" deleted; its URL now answers 404.`);
    });
  });
}
