import type { AgentConfig, Route } from '../config/agentConfig.ts';

/** Where one delivery goes: the target's origin, and the request-target (path and query) to send. */
export interface ForwardTarget {
  readonly url: URL;
  readonly path: string;
}

/**
 * The route for a source: its own, else the default route, else undefined (the delivery is refused).
 *
 * @example
 * resolveRoute(config, 'github')?.target; // 'http://127.0.0.1:18789/hooks/github'
 */
export function resolveRoute(
  config: Pick<AgentConfig, 'routes' | 'defaultRoute'>,
  sourceId: string,
): Route | undefined {
  return Object.hasOwn(config.routes, sourceId) ? config.routes[sourceId] : config.defaultRoute;
}

/**
 * The route's target as configured, with the original request's query appended after the target's own
 * query, if any. The original path is not used: which local path receives a source is the route's
 * decision. The query is kept as it came, not re-encoded.
 *
 * @example
 * forwardTarget('http://127.0.0.1:18789/hooks/github', 'a=1').path; // '/hooks/github?a=1'
 */
export function forwardTarget(target: string | URL, query: string): ForwardTarget {
  const url = typeof target === 'string' ? new URL(target) : target;
  const extra = query.startsWith('?') ? query.slice(1) : query;
  if (extra.length === 0) return { url, path: `${url.pathname}${url.search}` };
  return { url, path: `${url.pathname}${url.search.length > 1 ? `${url.search}&` : '?'}${extra}` };
}
