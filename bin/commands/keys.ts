/**
 * `clawpulsar keys add|list|rotate|remove`: the key vault of the budget monitor. Keys are read from a
 * file (never the command line), validated with one usage call by the edge, stored encrypted, and only
 * ever shown masked.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { KeyChange } from '../../lambdas/core/keys/addProviderKey.ts';
import type { ProviderKeyView } from '../../lambdas/core/keys/ProviderKeyView.ts';
import { isUsageProviderId } from '../../lambdas/core/usage/createUsageClient.ts';
import { USAGE_PROVIDER_IDS } from '../../lambdas/core/usage/SpendReport.ts';
import {
  type ManagementOptions,
  runManagement,
  table,
  when,
  withManagementOptions,
} from '../cli/managementCommand.ts';
import { EXIT, print, printError } from '../cli/output.ts';
import { readKeyFile } from '../cli/readKeyFile.ts';

interface AddOptions extends ManagementOptions {
  provider: string;
  label: string;
  keyFile: string;
  baseUrl?: string;
}

interface RotateOptions extends ManagementOptions {
  keyFile: string;
  label?: string;
}

function parseProvider(value: string): string {
  if (isUsageProviderId(value)) return value;
  throw new InvalidArgumentError(`Unknown provider. Use one of: ${USAGE_PROVIDER_IDS.join(', ')}.`);
}

/** The key from --key-file, or undefined after printing why not (exit 2). */
function keyFromFile(options: ManagementOptions & { keyFile: string }): string | undefined {
  try {
    return readKeyFile(options.keyFile, '--key-file');
  } catch (error) {
    printError(options, error);
    process.exitCode = EXIT.usage;
    return undefined;
  }
}

function describeChange(change: KeyChange, verb: string): string {
  const { key } = change;
  return [
    `${verb} ${key.provider} key "${key.label}" as ${key.keyId} (${key.masked}, ${key.fingerprint}).`,
    `Permission: ${change.permission}`,
    ...(change.warning ? [`Warning: ${change.warning}`] : []),
    ...(key.simulated ? ['This is a SIMULATED demo key.'] : []),
  ].join('\n');
}

/**
 * Registers `clawpulsar keys …`.
 *
 * @example
 * registerKeys(program);
 */
export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('provider usage/billing keys the budget monitor reads spend with (stored encrypted)');

  withManagementOptions(
    keys
      .command('add')
      .description('validate a key with one usage call, then store it encrypted')
      .requiredOption('--provider <id>', `provider (${USAGE_PROVIDER_IDS.join(', ')})`, parseProvider)
      .requiredOption('--label <label>', 'your name for the key, e.g. "OpenAI org prod"')
      .requiredOption('--key-file <file>', 'file holding the key (keeps it out of shell history)')
      .option('--base-url <url>', "the provider API's base URL (a proxy, or the simulated provider)"),
  )
    .addHelpText(
      'after',
      `
Which key: OpenAI — an Admin key with read-only permission; Anthropic — an Admin API key (Anthropic has no
read-only scope, so keep it only here). The key is only ever sent to the provider's usage and billing
endpoints, and only ever shown masked.`,
    )
    .action(async (options: AddOptions) => {
      const key = keyFromFile(options);
      if (key === undefined) return;
      await runManagement(options, async (client) => {
        const change = await client.request<KeyChange>('POST', '/v1/keys', {
          provider: options.provider,
          label: options.label,
          key,
          ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
        });
        print(options, change, describeChange(change, 'Added'));
      });
    });

  withManagementOptions(keys.command('list').description('list keys, masked')).action(
    async (options: ManagementOptions) => {
      await runManagement(options, async (client) => {
        const { keys: list } = await client.request<{ keys: ProviderKeyView[] }>('GET', '/v1/keys');
        const human = list.length
          ? table(
              ['KEY ID', 'PROVIDER', 'LABEL', 'KEY', 'FINGERPRINT', 'LAST POLL', 'STATUS'],
              list.map((k) => [
                k.keyId,
                k.provider,
                k.simulated ? `${k.label} (SIMULATED)` : k.label,
                k.masked,
                k.fingerprint,
                when(k.lastPoll?.lastPolledAt),
                k.lastPoll ? (k.lastPoll.ok ? 'ok' : (k.lastPoll.error?.code ?? 'failed')) : '-',
              ]),
            )
          : 'No keys yet. Add one: clawpulsar keys add --provider openai --label prod --key-file F';
        print(options, { keys: list }, human);
      });
    },
  );

  withManagementOptions(
    keys
      .command('rotate <keyId>')
      .description('replace a key (validated first); the next poll uses the new one')
      .requiredOption('--key-file <file>', 'file holding the new key')
      .option('--label <label>', 'a new label'),
  ).action(async (keyId: string, options: RotateOptions) => {
    const key = keyFromFile(options);
    if (key === undefined) return;
    await runManagement(options, async (client) => {
      const change = await client.request<KeyChange>('PUT', `/v1/keys/${encodeURIComponent(keyId)}`, {
        key,
        ...(options.label ? { label: options.label } : {}),
      });
      print(options, change, describeChange(change, 'Rotated'));
    });
  });

  withManagementOptions(
    keys.command('remove <keyId>').description('purge a key at once (its daily spend history stays)'),
  ).action(async (keyId: string, options: ManagementOptions) => {
    await runManagement(options, async (client) => {
      const result = await client.request('DELETE', `/v1/keys/${encodeURIComponent(keyId)}`);
      print(
        options,
        result,
        `Key ${keyId} deleted; nothing of it is kept. Its spend history stays until it expires or: clawpulsar history delete --key ${keyId}`,
      );
    });
  });
}
