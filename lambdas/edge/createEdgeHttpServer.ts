import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ClawPulsarError, UnsupportedMediaTypeError } from '../core/errors.ts';
import { HEALTH_PATH, healthResponse } from '../core/health/healthResponse.ts';
import { handleIngress, type IngressDeps } from '../core/ingress/handleIngress.ts';
import { MAX_WEBHOOK_BODY_BYTES } from '../core/ingress/limits.ts';
import type { ManagementDeps } from '../core/management/ManagementDeps.ts';
import { routeManagement } from '../core/management/routeManagement.ts';
import type { Logger } from '../core/ports.ts';
import type { RegistrationDeps } from '../core/registration/RegistrationDeps.ts';
import { registerAgent } from '../core/registration/registerAgent.ts';
import { DashboardGateway, type DashboardGatewayOptions } from './dashboard/DashboardGateway.ts';
import { readBody } from './readBody.ts';
import { toWebhookRequest } from './toWebhookRequest.ts';

/** Management and registration bodies are small JSON documents. */
const MAX_JSON_BODY_BYTES = 64 * 1024;
const HOOK_ROUTE = /^\/v1\/hooks\/([^/?]+)\/([^/?]+)\/?$/;

export interface EdgeHttpDeps {
  readonly ingress: IngressDeps;
  readonly registration: RegistrationDeps;
  readonly management: ManagementDeps;
  /** SHA-256 of the management bearer token (the token itself stays in its 0600 file). */
  readonly managementTokenSha256: Buffer;
  /** What providers call, e.g. `http://127.0.0.1:7700` or a tunnel's public https URL. */
  readonly publicBaseUrl: () => string;
  readonly logger: Logger;
  /** Extra management routes (e.g. budgets), tried when the core router has none. */
  readonly extraRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
  /** The web dashboard under `/dashboard/` (loopback only); its API calls reach the routes below. */
  readonly dashboard?: Omit<DashboardGatewayOptions, 'forward'>;
}

/** Bearer-authenticated: a one-time login link to `/dashboard/` for `clawpulsar dashboard --open-link`. */
const DASHBOARD_LINK_ROUTE = '/v1/dashboard/links';

/**
 * The local edge's HTTP server: the same routes as the AWS HTTP API. `/v1/hooks/…` and `/v1/register`
 * are public (providers, and agents holding a registration token); every other `/v1/…` route is the
 * management API behind the bearer token.
 *
 * @example
 * const server = createEdgeHttpServer(deps);
 * server.listen(7700, '127.0.0.1');
 */
export function createEdgeHttpServer(deps: EdgeHttpDeps): Server {
  const dashboard =
    deps.dashboard &&
    new DashboardGateway({
      ...deps.dashboard,
      forward: (req, res, apiUrl) => serveManagement(deps, req, res, apiUrl),
    });
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000 }, (req, res) => {
    handle(deps, dashboard, req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, error);
      else res.destroy();
    });
  });
  return server;
}

async function handle(
  deps: EdgeHttpDeps,
  dashboard: DashboardGateway | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://edge.invalid');
  const hook = HOOK_ROUTE.exec(url.pathname);
  if (hook) {
    const body = await readBody(req, MAX_WEBHOOK_BODY_BYTES);
    const request = toWebhookRequest(req, body, deps.publicBaseUrl());
    const response = await handleIngress(
      deps.ingress,
      { agentId: safeDecode(hook[1] as string), sourceId: safeDecode(hook[2] as string) },
      request,
    );
    res.writeHead(response.status, response.headers).end(response.body);
    return;
  }
  if (url.pathname === HEALTH_PATH) {
    const health = healthResponse();
    send(res, health.status, health.body);
    return;
  }
  if (url.pathname === '/v1/register') {
    if (req.method !== 'POST') return send(res, 405, error('method_not_allowed', 'POST only'));
    const response = await registerAgent(deps.registration, await readJson(req));
    send(res, 201, response);
    return;
  }
  if (dashboard?.matches(url.pathname)) return dashboard.handle(req, res, url);
  if (!url.pathname.startsWith('/v1/')) return send(res, 404, error('not_found', `No route ${url.pathname}`));
  if (!authorized(deps, req)) {
    res.setHeader('www-authenticate', 'Bearer realm="clawpulsar"');
    return send(res, 401, error('unauthorized', 'Missing or wrong bearer token; see `clawpulsar status`'));
  }
  if (dashboard && url.pathname === DASHBOARD_LINK_ROUTE) {
    if (req.method !== 'POST') return send(res, 405, error('method_not_allowed', 'POST only'));
    // The page is served on loopback only, so the link names this machine's loopback address.
    const host =
      req.socket.localAddress?.includes(':') && !req.socket.localAddress.startsWith('::ffff:')
        ? '[::1]'
        : '127.0.0.1';
    return send(res, 201, dashboard.loginLink(`http://${host}:${req.socket.localPort}`));
  }
  return serveManagement(deps, req, res, url);
}

/** The management API behind the bearer token (or a dashboard session): extra routes, then the core router. */
async function serveManagement(
  deps: EdgeHttpDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  if (deps.extraRoutes && (await deps.extraRoutes(req, res, url))) return;
  const body = req.method === 'GET' || req.method === 'DELETE' ? undefined : await readJson(req);
  const response = await routeManagement(deps.management, {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    body,
  });
  if (response.contentType !== undefined) {
    res
      .writeHead(response.status, { 'content-type': response.contentType, 'cache-control': 'no-store' })
      .end(String(response.body));
    return;
  }
  send(res, response.status, response.body);
}

function authorized(deps: EdgeHttpDeps, req: IncomingMessage): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Bearer ')) return false;
  const presented = createHash('sha256').update(header.slice(7), 'utf8').digest();
  return timingSafeEqual(presented, deps.managementTokenSha256);
}

/** Reads a JSON body: 415 for another content type, 400 for invalid JSON, 413 when over 64 KiB. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const body = await readBody(req, MAX_JSON_BODY_BYTES);
  if (body.byteLength === 0) return undefined;
  if (type !== 'application/json') throw new UnsupportedMediaTypeError('Send the body as application/json');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ClawPulsarError('invalid_json', 'The body is not valid JSON', 400);
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Writes a JSON response. */
export function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(text);
}

function error(code: string, message: string) {
  return { error: { code, message } };
}

function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof ClawPulsarError) {
    send(
      res,
      err.status,
      error(err.code, err.status >= 500 ? 'Internal error; see the edge logs' : err.message),
    );
  } else {
    send(res, 500, error('internal', 'Internal error; see the edge logs'));
  }
}
