import { BadRequestError, NotFoundError } from '../../lambdas/core/errors.ts';
import { isValidId } from '../../lambdas/core/ids.ts';
import { zodMessage } from '../../lambdas/core/registration/zodMessage.ts';
import { parseAllowlistEntry } from '../routing/TargetAllowlist.ts';
import { type IotCorePort, withIotCorePort } from '../tunnel/iotCoreEndpoint.ts';
import { type AgentConfig, agentConfigSchema, type Route, routeSchema } from './agentConfig.ts';

/** `source` is a source id, or `default` for the route of sources without one. */
export type RouteKey = { readonly source: string } | { readonly default: true };

/**
 * The config with the route for `key` set (replacing any route it had). The route is validated: an
 * http(s) target without credentials, header names that are not hop-by-hop or set by the agent.
 *
 * @example
 * writeAgentConfig(paths, withRoute(config, { source: 'github' }, { target: 'http://127.0.0.1:18789/hooks/github' }));
 */
export function withRoute(config: AgentConfig, key: RouteKey, route: Route): AgentConfig {
  const parsed = routeSchema.safeParse(route);
  if (!parsed.success) throw new BadRequestError('route_invalid', `Route ${zodMessage(parsed.error)}`);
  if ('default' in key) return agentConfigSchema.parse({ ...config, defaultRoute: parsed.data });
  if (!isValidId(key.source)) {
    throw new BadRequestError(
      'source_id_invalid',
      'The source id must be 3-63 lower-case letters, digits or dashes',
    );
  }
  return { ...config, routes: { ...config.routes, [key.source]: parsed.data } };
}

/** The config without the route for `key`; `route_not_found` when there is none. */
export function withoutRoute(config: AgentConfig, key: RouteKey): AgentConfig {
  if ('default' in key) {
    if (!config.defaultRoute) throw new NotFoundError('route_not_found', 'There is no default route');
    const { defaultRoute: _removed, ...rest } = config;
    return rest;
  }
  if (!Object.hasOwn(config.routes, key.source)) {
    throw new NotFoundError('route_not_found', `There is no route for source "${key.source}"`);
  }
  const { [key.source]: _removed, ...routes } = config.routes;
  return { ...config, routes };
}

/** The config with `entry` (a CIDR, an address or a host name) added to the allowlist. */
export function withAllowlistEntry(config: AgentConfig, entry: string): AgentConfig {
  parseAllowlistEntry(entry);
  const trimmed = entry.trim();
  return config.allowlist.includes(trimmed)
    ? config
    : { ...config, allowlist: [...config.allowlist, trimmed] };
}

/** The config with `entry` removed from the allowlist; `allowlist_entry_not_found` when absent. */
export function withoutAllowlistEntry(config: AgentConfig, entry: string): AgentConfig {
  const trimmed = entry.trim();
  if (!config.allowlist.includes(trimmed)) {
    throw new NotFoundError('allowlist_entry_not_found', `"${trimmed}" is not in the allowlist`);
  }
  return { ...config, allowlist: config.allowlist.filter((e) => e !== trimmed) };
}

/**
 * The config with its IoT Core tunnel on `port`: 443 with ALPN `x-amzn-mqtt-ca` where a network blocks
 * 8883, or back to 8883. Errors: `tunnel_port_not_applicable` for an edge's own broker (see
 * withIotCorePort). A running agent reconnects to the new port when it sees the file change.
 *
 * @example
 * writeAgentConfig(paths, withTunnelPort(readAgentConfig(paths), 443));
 */
export function withTunnelPort(config: AgentConfig, port: IotCorePort): AgentConfig {
  return { ...config, tunnel: withIotCorePort(config.tunnel, port) };
}
