import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { DashboardSessions } from './DashboardSessions.ts';
import { DASHBOARD_SECURITY_HEADERS, type DashboardAssets } from './dashboardAssets.ts';

/** Every dashboard URL starts here, on the edge and on `clawpulsar dashboard`'s own server alike. */
export const DASHBOARD_PREFIX = '/dashboard';
/** The header every API call of the page carries: a cross-site form or image can't set it. */
export const DASHBOARD_HEADER = 'x-clawpulsar-dashboard';

export interface DashboardGatewayOptions {
  readonly assets: DashboardAssets;
  readonly sessions: DashboardSessions;
  /** The edge URL the page shows in commands (`clawpulsar agent register --edge …`). */
  readonly edgeUrl: () => string;
  /** `edge` when the edge serves the page itself, `proxy` for `clawpulsar dashboard`. */
  readonly variant: 'edge' | 'proxy';
  /**
   * Answers one management API request (`/v1/…` and its query) for a signed-in page: in-process on the
   * edge, through the bearer token on `clawpulsar dashboard`. The request body is still unread.
   */
  readonly forward: (req: IncomingMessage, res: ServerResponse, apiUrl: URL) => Promise<void>;
}

/**
 * The web dashboard's HTTP surface under `/dashboard/`, on loopback only:
 *
 * - `GET /dashboard/…` the static page (public code, no data);
 * - `GET /dashboard/login?code=…` trades a one-time login code for an HttpOnly, SameSite=Strict session
 *   cookie and redirects to the page, so the code leaves the address bar at once;
 * - `/dashboard/api/v1/…` the management API for a signed-in page, which must also send the
 *   `x-clawpulsar-dashboard` header and, when the browser says where it comes from, come from this origin;
 * - `POST /dashboard/logout` ends the session.
 *
 * The browser never holds the management token. Requests that did not arrive on a loopback address, or
 * that name a host other than this machine's loopback (DNS rebinding), get 404 / 421.
 *
 * @example
 * const gateway = new DashboardGateway({ assets, sessions, edgeUrl: () => url, variant: 'edge', forward });
 * if (gateway.matches(url.pathname)) return gateway.handle(req, res, url);
 */
export class DashboardGateway {
  readonly #options: DashboardGatewayOptions;

  constructor(options: DashboardGatewayOptions) {
    this.#options = options;
  }

  matches(pathname: string): boolean {
    return pathname === DASHBOARD_PREFIX || pathname.startsWith(`${DASHBOARD_PREFIX}/`);
  }

  /** A one-time login link to the page served at `baseUrl` (e.g. `http://127.0.0.1:7700`). */
  loginLink(baseUrl: string): { url: string; expiresAt: number } {
    const { code, expiresAt } = this.#options.sessions.issueCode();
    return { url: `${baseUrl.replace(/\/$/, '')}${DASHBOARD_PREFIX}/login?code=${code}`, expiresAt };
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!isLoopback(req.socket.localAddress)) return text(res, 404, 'Not found');
    if (!loopbackHost(req.headers.host)) {
      return text(
        res,
        421,
        `Open the dashboard at http://127.0.0.1:${req.socket.localPort}${DASHBOARD_PREFIX}/`,
      );
    }
    const path = url.pathname.slice(DASHBOARD_PREFIX.length);
    if (path === '') {
      res.writeHead(308, { ...DASHBOARD_SECURITY_HEADERS, location: `${DASHBOARD_PREFIX}/` }).end();
      return;
    }
    if (path === '/login') return this.#login(req, res, url);
    if (path === '/logout' || path.startsWith('/api/')) {
      const refusal = this.#refuse(req);
      if (refusal)
        return json(res, refusal.status, { error: { code: refusal.code, message: refusal.message } });
      if (path === '/logout') {
        if (req.method !== 'POST')
          return json(res, 405, { error: { code: 'method_not_allowed', message: 'POST only' } });
        this.#options.sessions.end(readCookie(req, cookieName(req)));
        res.writeHead(204, { ...DASHBOARD_SECURITY_HEADERS, 'set-cookie': clearCookie(req) }).end();
        return;
      }
      if (path === '/api/context') {
        return json(res, 200, { edgeUrl: this.#options.edgeUrl(), variant: this.#options.variant });
      }
      if (!path.startsWith('/api/v1/'))
        return json(res, 404, { error: { code: 'not_found', message: `No route ${path}` } });
      const apiUrl = new URL(`${path.slice('/api'.length)}${url.search}`, 'http://edge.invalid');
      for (const [name, value] of Object.entries(DASHBOARD_SECURITY_HEADERS)) res.setHeader(name, value);
      await this.#options.forward(req, res, apiUrl);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'GET only');
    this.#options.assets.serve(res, path.slice(1));
  }

  #login(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const code = url.searchParams.get('code') ?? '';
    const session = code ? this.#options.sessions.redeem(code) : undefined;
    if (!session) {
      text(
        res,
        401,
        'This login link is unknown, expired or already used. Get a new one with `clawpulsar dashboard --open-link`.',
      );
      return;
    }
    const maxAge = Math.floor(this.#options.sessions.sessionTtlMs / 1000);
    res
      .writeHead(303, {
        ...DASHBOARD_SECURITY_HEADERS,
        location: `${DASHBOARD_PREFIX}/`,
        'cache-control': 'no-store',
        'set-cookie': `${cookieName(req)}=${session.id}; HttpOnly; SameSite=Strict; Path=${DASHBOARD_PREFIX}; Max-Age=${maxAge}`,
      })
      .end();
  }

  /** Why an API or logout request is refused, or undefined when it may go ahead. */
  #refuse(req: IncomingMessage): { status: number; code: string; message: string } | undefined {
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if (
      (origin !== undefined && origin !== `http://${req.headers.host}`) ||
      (site !== undefined && site !== 'same-origin')
    ) {
      return { status: 403, code: 'cross_origin', message: 'Only the dashboard page itself may call this' };
    }
    if (req.headers[DASHBOARD_HEADER] !== '1') {
      return {
        status: 403,
        code: 'dashboard_header_missing',
        message: `Send the ${DASHBOARD_HEADER}: 1 header`,
      };
    }
    if (!this.#options.sessions.isValid(readCookie(req, cookieName(req)))) {
      return {
        status: 401,
        code: 'signed_out',
        message: 'Not signed in: open the link printed by `clawpulsar dashboard --open-link`',
      };
    }
    return undefined;
  }
}

/** Cookies ignore ports: the port in the name keeps the edge's and `clawpulsar dashboard`'s apart. */
function cookieName(req: IncomingMessage): string {
  return `clawpulsar_dashboard_${req.socket.localPort}`;
}

function clearCookie(req: IncomingMessage): string {
  return `${cookieName(req)}=; HttpOnly; SameSite=Strict; Path=${DASHBOARD_PREFIX}; Max-Age=0`;
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const bare = address.startsWith('::ffff:') ? address.slice(7) : address;
  return bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

/** `127.0.0.1:7700`, `localhost:7700` or `[::1]:7700`: a page reached through another name is refused. */
function loopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(host);
  if (!match) return false;
  const name = (match[1] as string).replace(/^\[|\]$/g, '').toLowerCase();
  return name === 'localhost' || isLoopback(name);
}

function text(res: ServerResponse, status: number, body: string): void {
  res
    .writeHead(status, {
      ...DASHBOARD_SECURITY_HEADERS,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    })
    .end(body);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, {
      ...DASHBOARD_SECURITY_HEADERS,
      'content-type': 'application/json',
      'cache-control': 'no-store',
    })
    .end(JSON.stringify(body));
}
