import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DashboardGateway } from '../../../../lambdas/edge/dashboard/DashboardGateway.ts';
import { DashboardSessions } from '../../../../lambdas/edge/dashboard/DashboardSessions.ts';
import { DashboardAssets } from '../../../../lambdas/edge/dashboard/dashboardAssets.ts';

let dir: string;
let server: Server;
let base: string;
let port: number;
let now = 1_800_000_000_000;
let sessions: DashboardSessions;
let gateway: DashboardGateway;
const forwarded: { method: string; api: string; body: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cp-dash-'));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(dir, 'dist', 'dashboard.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'SECRET-CANARY');
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x.invalid');
    if (!gateway.matches(url.pathname)) return void res.writeHead(404).end();
    gateway.handle(req, res, url).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  forwarded.length = 0;
  sessions = new DashboardSessions({ clock: { now: () => now }, codeTtlMs: 60_000, sessionTtlMs: 3_600_000 });
  gateway = new DashboardGateway({
    assets: DashboardAssets.load(join(dir, 'dist')),
    sessions,
    edgeUrl: () => 'http://127.0.0.1:7700',
    variant: 'edge',
    forward: async (req: IncomingMessage, res, apiUrl) => {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      forwarded.push({ method: req.method ?? '', api: `${apiUrl.pathname}${apiUrl.search}`, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    },
  });
});

/** A raw HTTP request, so Host, Origin and Cookie are exactly what a test says (fetch would set its own). */
function call(
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += String(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.once('error', reject);
    req.end(options.body);
  });
}

async function signIn(): Promise<string> {
  const link = gateway.loginLink(base);
  const response = await call(new URL(link.url).pathname + new URL(link.url).search);
  const cookie = String(response.headers['set-cookie']?.[0] ?? '').split(';')[0] as string;
  expect(cookie).toMatch(new RegExp(`^clawpulsar_dashboard_${port}=`));
  return cookie;
}

const api = (
  cookie: string | undefined,
  path = '/dashboard/api/v1/agents?limit=5',
  extra: Record<string, string> = {},
) => call(path, { headers: { 'x-clawpulsar-dashboard': '1', ...(cookie ? { cookie } : {}), ...extra } });

describe('DashboardGateway: the page', () => {
  it('serves the built files with a strict content security policy, and nothing else', async () => {
    // Act
    const index = await call('/dashboard/');
    const script = await call('/dashboard/dashboard.js');
    const outside = await call('/dashboard/..%2fsecret.txt');
    const dotted = await call('/dashboard/../secret.txt');
    const redirect = await call('/dashboard');

    // Assess
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers['referrer-policy']).toBe('no-referrer');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(outside.status).toBe(404);
    expect(outside.body).not.toContain('SECRET-CANARY');
    expect(dotted.body).not.toContain('SECRET-CANARY');
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe('/dashboard/');
  });

  it('refuses a request that names another host (DNS rebinding), and accepts localhost', async () => {
    const rebound = await call('/dashboard/', { headers: { host: `attacker.example:${port}` } });
    const localhost = await call('/dashboard/', { headers: { host: `localhost:${port}` } });
    expect(rebound.status).toBe(421);
    expect(rebound.body).toContain(`http://127.0.0.1:${port}/dashboard/`);
    expect(localhost.status).toBe(200);
  });

  it('answers 503 with what to do when the dashboard was not built', async () => {
    gateway = new DashboardGateway({
      assets: DashboardAssets.load(join(dir, 'missing')),
      sessions,
      edgeUrl: () => '',
      variant: 'edge',
      forward: async () => undefined,
    });
    const response = await call('/dashboard/');
    expect(response.status).toBe(503);
    expect(response.body).toContain('npm run build');
  });
});

describe('DashboardGateway: signing in', () => {
  it('trades a login code once for an HttpOnly, SameSite=Strict session cookie and drops the code from the URL', async () => {
    // Prepare
    const link = gateway.loginLink(base);
    const path = new URL(link.url).pathname + new URL(link.url).search;

    // Act
    const first = await call(path);
    const second = await call(path);

    // Assess
    expect(link.url).toMatch(new RegExp(`^${base}/dashboard/login\\?code=cpdash_[A-Za-z0-9_-]{43}$`));
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/dashboard/');
    expect(first.headers['set-cookie']?.[0]).toMatch(
      new RegExp(
        `^clawpulsar_dashboard_${port}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age=3600$`,
      ),
    );
    expect(second.status).toBe(401);
    expect(second.body).toContain('clawpulsar dashboard --open-link');
  });

  it('refuses an expired code, an unknown code and no code', async () => {
    const link = gateway.loginLink(base);
    now += 60_001;
    expect((await call(new URL(link.url).pathname + new URL(link.url).search)).status).toBe(401);
    expect((await call('/dashboard/login?code=cpdash_made-up')).status).toBe(401);
    expect((await call('/dashboard/login')).status).toBe(401);
  });
});

describe('DashboardGateway: the API', () => {
  it('forwards a signed-in call with the dashboard header to the management API, path and query intact', async () => {
    // Prepare
    const cookie = await signIn();

    // Act
    const read = await api(cookie);
    const write = await call('/dashboard/api/v1/tokens', {
      method: 'POST',
      headers: {
        'x-clawpulsar-dashboard': '1',
        cookie,
        'content-type': 'application/json',
        origin: base,
        'sec-fetch-site': 'same-origin',
      },
      body: '{"agentId":"laptop"}',
    });
    const context = await api(cookie, '/dashboard/api/context');

    // Assess
    expect(read.status).toBe(200);
    expect(write.status).toBe(200);
    expect(forwarded).toEqual([
      { method: 'GET', api: '/v1/agents?limit=5', body: '' },
      { method: 'POST', api: '/v1/tokens', body: '{"agentId":"laptop"}' },
    ]);
    expect(read.headers['content-security-policy']).toContain("default-src 'none'");
    expect(JSON.parse(context.body)).toEqual({ edgeUrl: 'http://127.0.0.1:7700', variant: 'edge' });
  });

  it('refuses a call without a session, without the header, from another origin or site, or to a non-API path', async () => {
    // Prepare
    const cookie = await signIn();

    // Act
    const noSession = await api(undefined);
    const wrongSession = await api(`clawpulsar_dashboard_${port}=forged`);
    const noHeader = await call('/dashboard/api/v1/agents', { headers: { cookie } });
    const otherOrigin = await api(cookie, '/dashboard/api/v1/agents', { origin: 'http://attacker.example' });
    const otherSite = await api(cookie, '/dashboard/api/v1/agents', { 'sec-fetch-site': 'cross-site' });
    const otherPort = await api(cookie.replace(`_${port}=`, '_7700='));
    const notApi = await api(cookie, '/dashboard/api/internal');

    // Assess
    expect([noSession.status, JSON.parse(noSession.body).error.code]).toEqual([401, 'signed_out']);
    expect(wrongSession.status).toBe(401);
    expect([noHeader.status, JSON.parse(noHeader.body).error.code]).toEqual([
      403,
      'dashboard_header_missing',
    ]);
    expect([otherOrigin.status, JSON.parse(otherOrigin.body).error.code]).toEqual([403, 'cross_origin']);
    expect(otherSite.status).toBe(403);
    expect(otherPort.status).toBe(401);
    expect(notApi.status).toBe(404);
    expect(forwarded).toEqual([]);
  });

  it('ends a session on logout and when it expires', async () => {
    // Prepare
    const first = await signIn();
    const second = await signIn();

    // Act
    const logout = await call('/dashboard/logout', {
      method: 'POST',
      headers: { 'x-clawpulsar-dashboard': '1', cookie: first },
    });
    const afterLogout = await api(first);
    const stillIn = await api(second);
    now += 3_600_001;
    const expired = await api(second);

    // Assess
    expect(logout.status).toBe(204);
    expect(logout.headers['set-cookie']?.[0]).toContain('Max-Age=0');
    expect(afterLogout.status).toBe(401);
    expect(stillIn.status).toBe(200);
    expect(expired.status).toBe(401);
  });
});

describe('DashboardSessions', () => {
  it('keeps only hashes and at most maxEntries sessions, dropping the oldest', () => {
    // Prepare
    const small = new DashboardSessions({ maxEntries: 2 });
    const ids = [0, 1, 2].map(() => small.redeem(small.issueCode().code)?.id as string);

    // Assess
    expect(small.isValid(ids[0])).toBe(false);
    expect(small.isValid(ids[1])).toBe(true);
    expect(small.isValid(ids[2])).toBe(true);
    expect(small.isValid(undefined)).toBe(false);
  });
});
