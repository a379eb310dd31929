import { ClawPulsarError, NotFoundError } from '../errors.ts';
import { budgetRoutes } from './budgetRoutes.ts';
import { createAgentToken, createTokenSchema } from './createAgentToken.ts';
import { deleteSource } from './deleteSource.ts';
import { getAgent, listAgents } from './listAgents.ts';
import { deliveryQuerySchema, listDeliveries } from './listDeliveries.ts';
import { listSources } from './listSources.ts';
import type { ManagementDeps } from './ManagementDeps.ts';
import { putSource } from './putSource.ts';
import { revokeAgent } from './revokeAgent.ts';
import { rotateSourceSecret } from './rotateSourceSecret.ts';
import {
  id,
  type ManagementRequest,
  type ManagementResponse,
  ok,
  parse,
  queryObject,
  type Route,
} from './routeHelpers.ts';
import { toSourceView } from './SourceView.ts';
import { putSourceSchema, rotateSecretSchema } from './sourceSchemas.ts';

export type { ManagementRequest, ManagementResponse } from './routeHelpers.ts';

/** Routes as [method, pattern, handler]; `:id` segments are validated as ids. */
const routes: Route[] = [
  [
    'POST',
    /^\/v1\/tokens$/,
    async (d, _p, r) => ok(await createAgentToken(d, parse(createTokenSchema, r.body)), 201),
  ],
  ['GET', /^\/v1\/agents$/, async (d) => ok({ agents: await listAgents(d) })],
  ['GET', /^\/v1\/agents\/([^/]+)$/, async (d, [a]) => ok(await getAgent(d, id(a)))],
  ['POST', /^\/v1\/agents\/([^/]+)\/revoke$/, async (d, [a]) => ok(await revokeAgent(d, id(a)))],
  [
    'GET',
    /^\/v1\/sources$/,
    async (d, _p, r) => {
      const agentId = r.query.get('agentId');
      return ok({ sources: await listSources(d, agentId === null ? undefined : id(agentId)) });
    },
  ],
  [
    'GET',
    /^\/v1\/agents\/([^/]+)\/sources\/([^/]+)$/,
    async (d, [a, s]) => {
      const source = await d.sources.get(id(a), id(s));
      if (!source) throw new NotFoundError('unknown_source', `No source "${s}" for agent "${a}"`);
      return ok(toSourceView(source, d.webhookBaseUrl));
    },
  ],
  [
    'PUT',
    /^\/v1\/agents\/([^/]+)\/sources\/([^/]+)$/,
    async (d, [a, s], r) => ok(await putSource(d, id(a), id(s), parse(putSourceSchema, r.body))),
  ],
  [
    'DELETE',
    /^\/v1\/agents\/([^/]+)\/sources\/([^/]+)$/,
    async (d, [a, s]) => {
      await deleteSource(d, id(a), id(s));
      return ok({ deleted: true });
    },
  ],
  [
    'POST',
    /^\/v1\/agents\/([^/]+)\/sources\/([^/]+)\/rotate$/,
    async (d, [a, s], r) => {
      const input = parse(rotateSecretSchema, r.body);
      return ok(await rotateSourceSecret(d, id(a), id(s), input.secret, input.keepPrevious));
    },
  ],
  [
    'GET',
    /^\/v1\/deliveries$/,
    async (d, _p, r) =>
      ok({ deliveries: await listDeliveries(d, parse(deliveryQuerySchema, queryObject(r.query))) }),
  ],
  ...budgetRoutes,
];

/**
 * The management API, shared by the AWS management Lambda (behind IAM auth) and the local edge (behind
 * its bearer token): authentication happens before this. Errors become `{ error: { code, message } }`.
 *
 * @example
 * const { status, body } = await routeManagement(deps, { method: 'GET', path: '/v1/agents', query, body: undefined });
 */
export async function routeManagement(
  deps: ManagementDeps,
  request: ManagementRequest,
): Promise<ManagementResponse> {
  let pathMatched = false;
  for (const [method, pattern, handler] of routes) {
    const match = pattern.exec(request.path);
    if (!match) continue;
    pathMatched = true;
    if (method !== request.method) continue;
    try {
      return await handler(deps, match.slice(1).map(decodeURIComponent), request);
    } catch (error) {
      if (error instanceof ClawPulsarError && error.status < 500) {
        return { status: error.status, body: { error: { code: error.code, message: error.message } } };
      }
      deps.logger.error('management_failed', {
        path: request.path,
        error:
          error instanceof ClawPulsarError ? error.code : error instanceof Error ? error.name : 'unknown',
      });
      return {
        status: 500,
        body: { error: { code: 'internal', message: 'Internal error; see the edge logs' } },
      };
    }
  }
  return pathMatched
    ? {
        status: 405,
        body: { error: { code: 'method_not_allowed', message: `${request.method} is not allowed here` } },
      }
    : {
        status: 404,
        body: { error: { code: 'not_found', message: `No route ${request.method} ${request.path}` } },
      };
}
