import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEdge } from '../../../../bin/cli/doctor/checkEdge.ts';
import { healthResponse } from '../../../../lambdas/core/health/healthResponse.ts';
import { issueServer, makeCa, removeCa } from '../../../support/opensslCa.ts';
import {
  type ScriptedHttpServer,
  type ScriptedResponse,
  startScriptedHttpServer,
} from '../../../support/scriptedHttpServer.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** An edge stand-in whose clock runs `offsetMs` away from ours (or that sends no Date header). */
async function edgeWithClock(offsetMs: number | 'none', status = 200): Promise<string> {
  server = createServer((_req, res) => {
    if (offsetMs === 'none') res.sendDate = false;
    else res.setHeader('date', new Date(Date.now() + offsetMs).toUTCString());
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('checkEdge', () => {
  it('is ok when the edge answers and the clocks agree', async () => {
    const checks = await checkEdge(await edgeWithClock(0));
    expect(checks.map((c) => [c.id, c.level])).toEqual([
      ['edge', 'ok'],
      ['clock', 'ok'],
    ]);
  });

  it('warns at a minute of skew and fails at ten, saying which way and how to fix it', async () => {
    // Act
    const minute = await checkEdge(await edgeWithClock(60_000));
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const ten = await checkEdge(await edgeWithClock(-600_000));

    // Assess
    expect(minute[1]).toMatchObject({ id: 'clock', level: 'warn' });
    expect(minute[1]?.message).toMatch(/This clock is (59|60|61) s behind the edge/);
    expect(ten[1]).toMatchObject({ id: 'clock', level: 'fail' });
    expect(ten[1]?.message).toMatch(/(599|600|601) s ahead of the edge/);
    expect(ten[1]?.fix).toContain('timedatectl set-ntp true');
  });

  it('warns when the edge sends no Date header', async () => {
    const checks = await checkEdge(await edgeWithClock('none'));
    expect(checks[1]).toMatchObject({ id: 'clock', level: 'warn' });
  });

  it('fails an unhealthy answer and an unreachable edge, with the fix', async () => {
    // Act
    const unhealthy = await checkEdge(await edgeWithClock(0, 503));
    const url = `http://127.0.0.1:${((server as Server).address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const down = await checkEdge(url);

    // Assess
    expect(unhealthy[0]).toMatchObject({ id: 'edge', level: 'fail' });
    expect(unhealthy[0]?.message).toContain('HTTP 503');
    expect(down).toEqual([
      {
        id: 'edge',
        level: 'fail',
        message: `Cannot reach the edge at ${url} (ECONNREFUSED)`,
        fix: 'Start it: `clawpulsar dev` (or `clawpulsar service install --component edge`)',
      },
    ]);
  });
});

const STACK = { kind: 'aws', region: 'eu-west-1' } as const;
const STACK_STATUS =
  '`clawpulsar status --stack NAME --region eu-west-1` (where AWS credentials are at hand)';

/** The stack's HTTP API on loopback: API Gateway's own answers, or the health route as the ingress answers it. */
async function stackApi(reply: ScriptedResponse): Promise<ScriptedHttpServer> {
  const api = await startScriptedHttpServer(() => ({
    ...reply,
    headers: { 'apigw-requestid': 'Qx1AbCdEfGhIjKk=', ...reply.headers },
  }));
  servers.push(api);
  return api;
}

const servers: ScriptedHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('checkEdge against a deployed stack', () => {
  it('is ok when the health route answers as the ingress function does, and reads the clock from it', async () => {
    // Prepare
    const health = healthResponse();
    const api = await stackApi({ status: health.status, body: health.body });

    // Act
    const checks = await checkEdge(api.url, { kind: STACK, env: {} });

    // Assess
    expect(checks[0]).toMatchObject({ id: 'edge', level: 'ok' });
    expect(checks[0]?.message).toMatch(new RegExp(`^The stack's API answers at ${api.url} \\(\\d+ ms\\)$`));
    expect(checks[1]).toMatchObject({ id: 'clock', level: 'ok' });
    expect(api.requests.map((r) => [r.method, r.url])).toEqual([['GET', '/healthz']]);
    expect(api.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('warns, and still measures the clock, when a stack deployed before the health route answers 404', async () => {
    // Prepare: API Gateway's answer to a route it does not have.
    const api = await stackApi({ status: 404, body: { message: 'Not Found' } });

    // Act
    const checks = await checkEdge(api.url, { kind: STACK, env: {} });

    // Assess
    expect(checks).toEqual([
      {
        id: 'edge',
        level: 'warn',
        message: `The stack's API answers at ${api.url} but has no /healthz route: the stack predates it`,
        fix: 'Redeploy the stack with this version (`npx cdk deploy`) to get the health route',
      },
      expect.objectContaining({ id: 'clock', level: 'ok' }),
    ]);
  });

  it.each([
    [
      503,
      'Service Unavailable',
      `Check the stack: ${STACK_STATUS}; the ApiServerErrors alarm and the ingress function's CloudWatch logs say more`,
    ],
    [
      500,
      'Internal Server Error',
      `Check the stack: ${STACK_STATUS}; the ApiServerErrors alarm and the ingress function's CloudWatch logs say more`,
    ],
    [
      403,
      'Forbidden',
      `Check the stack: ${STACK_STATUS}; a WAF or proxy in front of the API may refuse the request`,
    ],
  ])('fails HTTP %i with the stack to check', async (status, text, fix) => {
    // Prepare
    const api = await stackApi({ status, body: { message: text } });

    // Act
    const checks = await checkEdge(api.url, { kind: STACK, env: {} });

    // Assess
    expect(checks[0]).toEqual({
      id: 'edge',
      level: 'fail',
      message: `The stack's API at ${api.url} answered HTTP ${status} to /healthz`,
      fix,
    });
  });

  it('names the stack from $CLAWPULSAR_STACK in the fix', async () => {
    // Prepare
    const api = await stackApi({ status: 502, body: { message: 'Internal Server Error' } });

    // Act
    const checks = await checkEdge(api.url, { kind: STACK, env: { CLAWPULSAR_STACK: 'prod' } });

    // Assess
    expect(checks[0]?.fix).toContain('`clawpulsar status --stack prod --region eu-west-1`');
  });

  it('warns when the health route is throttled (429)', async () => {
    // Prepare
    const api = await stackApi({ status: 429, body: { message: 'Too Many Requests' } });

    // Act
    const checks = await checkEdge(api.url, { kind: STACK, env: {} });

    // Assess
    expect(checks[0]).toMatchObject({ id: 'edge', level: 'warn' });
    expect(checks[0]?.fix).toMatch(/^Run doctor again in a minute/);
  });

  it.each([
    [
      'a captive portal page',
      { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>Sign in</html>' },
    ],
    ['another JSON status', { status: 200, body: { status: 'ok', version: '1.2.3' } }],
    [
      'an endless page',
      {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: `{"status":"ok"${' '.repeat(1 << 20)}}`,
      },
    ],
  ])('fails 200 with %s: it is not a ClawPulsar edge', async (_name, reply) => {
    // Prepare
    const api = await stackApi(reply as ScriptedResponse);

    // Act
    const checks = await checkEdge(api.url, { kind: STACK, env: {} });

    // Assess
    expect(checks[0]).toMatchObject({ id: 'edge', level: 'fail' });
    expect(checks[0]?.message).toBe(
      `Something at ${api.url} answered /healthz, but not as a ClawPulsar edge`,
    );
    expect(checks[0]?.fix).toMatch(/captive portal/);
  });

  it('fails an unreachable API with the network and the stack to check', async () => {
    // Prepare
    const api = await stackApi({ status: 200 });
    await api.close();

    // Act
    const checks = await checkEdge(api.url, { kind: STACK, env: {} });

    // Assess
    expect(checks).toEqual([
      {
        id: 'edge',
        level: 'fail',
        message: `Cannot reach the stack's API at ${api.url} (ECONNREFUSED)`,
        fix: `Check this machine's network (a firewall or proxy in the way of HTTPS?), then the stack: ${STACK_STATUS}`,
      },
    ]);
  });

  it('fails an API that does not answer in time', async () => {
    // Prepare
    const api = await stackApi({ status: 200, body: healthResponse().body, delayMs: 2000 });

    // Act
    const checks = await checkEdge(api.url, { kind: STACK, env: {}, timeoutMs: 200 });

    // Assess
    expect(checks[0]).toMatchObject({ id: 'edge', level: 'fail' });
    expect(checks[0]?.message).toBe(`Cannot reach the stack's API at ${api.url} (TimeoutError)`);
  });

  it('fails a custom domain that does not resolve, pointing at its DNS record', async () => {
    // Act
    const checks = await checkEdge('https://hooks.example.invalid', { kind: STACK, env: {} });

    // Assess
    expect(checks[0]?.message).toMatch(
      /^Cannot reach the stack's API at https:\/\/hooks\.example\.invalid \((ENOTFOUND|EAI_AGAIN)\)$/,
    );
    expect(checks[0]?.fix).toBe(
      `The host does not resolve: for a custom domain, point its DNS record at the stack's CustomDomainTarget output; else check the stack, which may have been deleted: ${STACK_STATUS}`,
    );
  });

  it("fails a TLS certificate that is not valid for the API's name, pointing at the custom domain's certificate", async () => {
    // Prepare: a certificate from a CA this machine does not trust, as a wrong ACM certificate or a proxy.
    const ca = makeCa('Untrusted');
    const certificate = issueServer(ca, ['127.0.0.1', 'localhost']);
    const tls = createHttpsServer({ key: certificate.keyPem, cert: certificate.certPem }, (_req, res) =>
      res.end('{"status":"ok"}'),
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;

    // Act
    const checks = await checkEdge(url, { kind: STACK, env: {} }).finally(() => {
      tls.close();
      removeCa(ca);
    });

    // Assess
    expect(checks[0]).toMatchObject({ id: 'edge', level: 'fail' });
    expect(checks[0]?.message).toMatch(/\((UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)\)$/);
    expect(checks[0]?.fix).toMatch(
      /^The API's TLS certificate is not valid for this name: for a custom domain, check its ACM certificate/,
    );
  });
});

describe('checkEdge against a local edge', () => {
  it('fails a 404 as something other than the edge on that port', async () => {
    // Prepare
    const other = await stackApi({ status: 404, body: 'Not Found' });

    // Act
    const checks = await checkEdge(other.url);

    // Assess
    expect(checks[0]).toEqual({
      id: 'edge',
      level: 'fail',
      message: `The edge at ${other.url} answered HTTP 404 to /healthz`,
      fix: 'Something other than the edge listens there: check the URL and the port (`clawpulsar status`)',
    });
  });
});
