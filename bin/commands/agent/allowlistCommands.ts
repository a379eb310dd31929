import type { Command } from 'commander';
import { readAgentConfig, writeAgentConfig } from '../../../agent/config/agentConfigFile.ts';
import { withAllowlistEntry, withoutAllowlistEntry } from '../../../agent/config/editConfig.ts';
import { agentPaths } from '../../../agent/home/agentPaths.ts';
import { print } from '../../cli/output.ts';
import { type AgentCommandOptions, agentAction, withAgentOptions } from './agentAction.ts';

/** `clawpulsar agent allowlist add|list|remove`: which hosts routes may target (default: loopback). */
export function registerAgentAllowlist(agent: Command): void {
  const allowlist = agent
    .command('allowlist')
    .description('hosts the agent may forward to (default: this machine only)');
  withAgentOptions(
    allowlist.command('add').description('allow a CIDR, an address or a host name').argument('<entry>'),
  ).action(async (entry: string, options: AgentCommandOptions) => {
    await agentAction(options, (dir) => {
      const paths = agentPaths(dir);
      const config = withAllowlistEntry(readAgentConfig(paths), entry);
      writeAgentConfig(paths, config);
      print(options, { allowlist: config.allowlist }, `Allowed ${entry.trim()}.`);
    });
  });
  withAgentOptions(allowlist.command('list').description('list allowed targets')).action(
    async (options: AgentCommandOptions) => {
      await agentAction(options, (dir) => {
        const { allowlist: entries } = readAgentConfig(agentPaths(dir));
        print(options, { allowlist: entries }, entries.join('\n'));
      });
    },
  );
  withAgentOptions(allowlist.command('remove').description('remove an entry').argument('<entry>')).action(
    async (entry: string, options: AgentCommandOptions) => {
      await agentAction(options, (dir) => {
        const paths = agentPaths(dir);
        const config = withoutAllowlistEntry(readAgentConfig(paths), entry);
        writeAgentConfig(paths, config);
        print(options, { allowlist: config.allowlist }, `Removed ${entry.trim()}.`);
      });
    },
  );
}
