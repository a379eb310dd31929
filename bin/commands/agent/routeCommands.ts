import type { Command } from 'commander';
import type { Route } from '../../../agent/config/agentConfig.ts';
import { readAgentConfig, writeAgentConfig } from '../../../agent/config/agentConfigFile.ts';
import { type RouteKey, withoutRoute, withRoute } from '../../../agent/config/editConfig.ts';
import { agentPaths } from '../../../agent/home/agentPaths.ts';
import { TargetAllowlist } from '../../../agent/routing/TargetAllowlist.ts';
import { BadRequestError } from '../../../lambdas/core/errors.ts';
import { table } from '../../cli/managementCommand.ts';
import { print, UsageError } from '../../cli/output.ts';
import { type AgentCommandOptions, agentAction, withAgentOptions } from './agentAction.ts';

interface RouteOptions extends AgentCommandOptions {
  source?: string;
  default?: boolean;
  target?: string;
  header?: string[];
}

/** `clawpulsar agent route add|list|remove`: where the agent forwards each source (local config only). */
export function registerAgentRoutes(agent: Command): void {
  const route = agent.command('route').description('where this agent forwards each source’s webhooks');
  withAgentOptions(
    route
      .command('add')
      .description('forward a source to a local URL (replaces its route); the running agent picks it up')
      .option('--source <id>', 'the source id (as in the webhook URL)')
      .option('--default', 'the route for sources that have none')
      .requiredOption('--target <url>', 'local URL, e.g. http://127.0.0.1:18789/hooks/github')
      .option('--header <header>', "header to add, 'Name: value' (repeatable)", collect, []),
  ).action(async (options: RouteOptions) => {
    await agentAction(options, async (dir) => {
      const paths = agentPaths(dir);
      const key = routeKey(options);
      const newRoute: Route = { target: options.target! };
      if (options.header?.length) newRoute.headers = Object.fromEntries(options.header.map(parseHeader));
      const config = withRoute(readAgentConfig(paths), key, newRoute);
      const verdict = await new TargetAllowlist(config.allowlist)
        .check(new URL(newRoute.target))
        .catch(() => undefined);
      if (verdict && !verdict.allowed) {
        throw new BadRequestError(
          'target_not_allowed',
          `${verdict.reason} (by default only this machine is). If you mean it: clawpulsar agent allowlist add <host or CIDR>`,
        );
      }
      writeAgentConfig(paths, config);
      const name = 'default' in key ? 'the default route' : `source "${key.source}"`;
      print(options, { route: describe(key, newRoute) }, `Routed ${name} to ${newRoute.target}.`);
    });
  });
  withAgentOptions(route.command('list').description('list routes (header values are not shown)')).action(
    async (options: RouteOptions) => {
      await agentAction(options, (dir) => {
        const config = readAgentConfig(agentPaths(dir));
        const routes = Object.entries(config.routes).map(([source, r]) => describe({ source }, r));
        if (config.defaultRoute) routes.push(describe({ default: true }, config.defaultRoute));
        const human = routes.length
          ? table(
              ['SOURCE', 'TARGET', 'HEADERS'],
              routes.map((r) => [r.source, r.target, r.headerNames.join(', ') || '-']),
            )
          : 'No routes yet: clawpulsar agent route add --source <id> --target http://127.0.0.1:18789/hooks/<name>';
        print(options, { routes }, human);
      });
    },
  );
  withAgentOptions(
    route
      .command('remove')
      .description('remove a route; that source’s deliveries are then refused')
      .option('--source <id>', 'the source id')
      .option('--default', 'the default route'),
  ).action(async (options: RouteOptions) => {
    await agentAction(options, (dir) => {
      const paths = agentPaths(dir);
      const key = routeKey(options);
      writeAgentConfig(paths, withoutRoute(readAgentConfig(paths), key));
      print(options, { removed: 'default' in key ? '*' : key.source }, 'Route removed.');
    });
  });
}

function routeKey(options: RouteOptions): RouteKey {
  if (options.default && options.source === undefined) return { default: true };
  if (!options.default && options.source !== undefined) return { source: options.source };
  throw new UsageError('Give either --source <id> or --default');
}

/** `'Name: value'` → [name, value]; the value keeps inner spaces. */
/** Parses a `Name: value` header option. */
export function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  if (colon <= 0) throw new UsageError(`--header must look like 'Name: value'`);
  return [text.slice(0, colon).trim(), text.slice(colon + 1).trim()];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A route for display: header names only, never their values (they are often bearer tokens). */
function describe(key: RouteKey, route: Route) {
  return {
    source: 'default' in key ? '*' : key.source,
    target: route.target,
    headerNames: Object.keys(route.headers ?? {}),
  };
}
