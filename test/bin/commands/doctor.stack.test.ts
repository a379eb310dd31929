import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeAgentHome } from '../../support/agentHomeFiles.ts';
import { httpApiEvent } from '../../support/awsEvents.ts';
import { type AwsHarness, startAwsHarness } from '../../support/awsHarness.ts';
import type { LambdaHandler } from '../../support/awsScenario.ts';
import { CLI } from '../../support/cliProcess.ts';
import {
  closedPort,
  type IotCoreStandIn,
  startIotCoreStandIn,
  startSilentPort,
} from '../../support/iotCoreStandIn.ts';
import { issueServer, makeCa, removeCa, type TestCa } from '../../support/opensslCa.ts';
import { runCommand } from '../../support/runCommand.ts';

/**
 * `clawpulsar doctor` for an agent registered with a deployed stack. The stack's HTTP API is played on
 * loopback by a server that routes as API Gateway does (the stack's routes to its function, anything else
 * `404 {"message":"Not Found"}`) and answers `GET /healthz` with the real ingress handler; IoT Core is
 * played by openssl s_server with the endpoint's name, the stack's registered CA and no session tickets.
 */
const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
const HOOKS_TOKEN = 'hooks-token-CANARY-91be';

let root: string;
let agentDir: string;
let openclawConfig: string;
let aws: AwsHarness;
let api: HttpServer;
let apiUrl: string;
let iot: IotCoreStandIn;
let gateway: Server;
let cas: TestCa[] = [];
let amazonRoot: TestCa;
let issuingCa: TestCa;
/** Whether the stack was deployed with the health route (stacks before it answer 404). */
let healthRoute = true;

type Check = { id: string; level: string; message: string; fix?: string };

async function doctor(...extra: string[]) {
  return doctorOf(agentDir, ...extra);
}

async function doctorOf(dir: string, ...extra: string[]) {
  const result = await runCommand(
    process.execPath,
    [CLI, 'doctor', '--agent-dir', dir, '--openclaw-config', openclawConfig, ...extra],
    {
      timeoutMs: 30_000,
      env: {
        CLAWPULSAR_LOG_DIR: join(root, 'logs'),
        CLAWPULSAR_STACK: 'ClawPulsar',
        OPENCLAW_GATEWAY_TOKEN: undefined,
      },
    },
  );
  const stdout = result.stdout.toString();
  const json = extra.includes('--json')
    ? (JSON.parse(stdout) as { ok: boolean; checks: Check[] })
    : undefined;
  const byId = (id: string) => json?.checks.find((c) => c.id === id);
  return { code: result.code, stdout, stderr: result.stderr, json, byId };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cp-doctor-stack-'));
  agentDir = join(root, 'agent');
  aws = await startAwsHarness();
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const ingress = (await import('../../../lambdas/handlers/ingress.ts')).handler as LambdaHandler;
  api = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!(healthRoute && req.method === 'GET' && path === '/healthz')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    ingress(httpApiEvent({ method: 'GET', rawPath: path }), {} as never).then((result) => {
      res.writeHead(result.statusCode, { ...result.headers, 'apigw-requestid': 'Qx1AbCdEfGhIjKk=' });
      res.end(result.body);
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;

  amazonRoot = makeCa('Amazon Root CA 1 stand-in');
  issuingCa = makeCa('ClawPulsar issuing CA');
  cas = [amazonRoot, issuingCa];
  iot = await startIotCoreStandIn({
    endpoint: ENDPOINT,
    server: issueServer(amazonRoot, [ENDPOINT]),
    registeredCa: issuingCa,
  });

  gateway = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const gatewayPort = (gateway.address() as { port: number }).port;
  openclawConfig = join(root, 'openclaw.json');
  writeFileSync(
    openclawConfig,
    `{ gateway: { port: ${gatewayPort}, auth: { token: "gw" } }, hooks: { enabled: true, token: "${HOOKS_TOKEN}" }, }`,
  );
  writeAgentHome(agentDir, {
    agentId: 'laptop',
    edgeUrl: apiUrl,
    tunnel: { host: '127.0.0.1', port: iot.port, serverName: ENDPOINT },
    issuingCa,
    serverCaPem: amazonRoot.certPem,
    routes: {
      github: {
        target: `http://127.0.0.1:${gatewayPort}/hooks/github`,
        headers: { Authorization: `Bearer ${HOOKS_TOKEN}` },
      },
    },
  });
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  await iot?.close();
  await new Promise<void>((resolve) => (api?.listening ? api.close(() => resolve()) : resolve()));
  await new Promise<void>((resolve) => gateway?.close(() => resolve()));
  await aws?.close();
  for (const ca of cas) removeCa(ca);
  rmSync(root, { recursive: true, force: true });
});

describe('clawpulsar doctor for an agent registered with a deployed stack', () => {
  it("checks the stack's health route, the clock, the certificate and mutual TLS with IoT Core, all ok", async () => {
    // Act
    const result = await doctor('--json');

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.json?.ok).toBe(true);
    expect(result.byId('edge')?.level).toBe('ok');
    expect(result.byId('edge')?.message).toMatch(
      new RegExp(`^The stack's API answers at ${apiUrl} \\(\\d+ ms\\)$`),
    );
    expect(result.byId('clock')?.level).toBe('ok');
    expect(result.byId('agent')).toMatchObject({
      level: 'ok',
      message: `Agent "laptop" is registered with ${apiUrl}`,
    });
    expect(result.byId('certificate')?.level).toBe('ok');
    expect(result.byId('tunnel')).toEqual({
      id: 'tunnel',
      level: 'ok',
      message: `Mutual TLS with the tunnel at 127.0.0.1:${iot.port} (IoT Core, TLSv1.3)`,
    });
    expect(result.json?.checks.filter((c) => c.level !== 'ok')).toEqual([]);
  });

  it('prints the marks as for a local edge', async () => {
    // Act
    const result = await doctor();

    // Assess
    expect(result.stdout).toMatch(/^✓ edge {11}The stack's API answers at/m);
    expect(result.stdout).toMatch(/^✓ tunnel {9}Mutual TLS with the tunnel at .+ \(IoT Core, TLSv1\.3\)$/m);
    expect(result.stdout).toContain('All good.');
    expect(result.stdout).not.toContain(HOOKS_TOKEN);
  });

  it('warns, and exits 0, when the stack was deployed before the health route', async () => {
    // Prepare
    healthRoute = false;

    // Act
    const result = await doctor('--json').finally(() => {
      healthRoute = true;
    });

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.byId('edge')).toEqual({
      id: 'edge',
      level: 'warn',
      message: `The stack's API answers at ${apiUrl} but has no /healthz route: the stack predates it`,
      fix: 'Redeploy the stack with this version (`npx cdk deploy`) to get the health route',
    });
    expect(result.byId('clock')?.level).toBe('ok');
  });

  it('when 8883 is blocked and 443 takes the agent, names the command that switches it, which fixes the tunnel', async () => {
    // Prepare: IoT Core's 443 listener and a dropped 8883 on a loopback address of this test's own.
    const host = `127.${(process.pid % 200) + 20}.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
    const [iot443, blocked] = await Promise.all([
      startIotCoreStandIn({
        endpoint: ENDPOINT,
        server: issueServer(amazonRoot, [ENDPOINT]),
        registeredCa: issuingCa,
        alpn: 'x-amzn-mqtt-ca',
        host,
        port: 443,
      }),
      startSilentPort(host),
    ]);
    const dir = join(root, 'agent-behind-firewall');
    writeAgentHome(dir, {
      agentId: 'laptop',
      edgeUrl: apiUrl,
      tunnel: { host, port: blocked.port, serverName: ENDPOINT },
      issuingCa,
      serverCaPem: amazonRoot.certPem,
    });

    try {
      // Act
      const before = await doctorOf(dir, '--json');
      const command =
        /`(clawpulsar agent tunnel set [^`]+)`/.exec(before.byId('tunnel')?.fix ?? '')?.[1] ?? '';
      const switched = await runCommand(process.execPath, [CLI, ...command.split(' ').slice(1)]);
      const after = await doctorOf(dir, '--json');

      // Assess
      expect(before.code).toBe(1);
      expect(before.byId('tunnel')).toEqual({
        id: 'tunnel',
        level: 'fail',
        message: `No TLS answer from the tunnel at ${host}:${blocked.port} within 5 s, but IoT Core accepts this agent on port 443 with ALPN x-amzn-mqtt-ca`,
        fix: `This network blocks outbound port ${blocked.port}: switch the agent to port 443 with \`clawpulsar agent tunnel set --port 443 --dir ${dir}\` (it asks for ALPN x-amzn-mqtt-ca; a running agent reconnects there by itself)`,
      });
      expect(switched.code, switched.stderr).toBe(0);
      expect(after.byId('tunnel')).toEqual({
        id: 'tunnel',
        level: 'ok',
        message: `Mutual TLS with the tunnel at ${host}:443 (IoT Core, TLSv1.3, ALPN x-amzn-mqtt-ca)`,
      });
    } finally {
      await Promise.all([iot443.close(), blocked.close()]);
    }
  }, 40_000);

  it("names the stack the agent registered with in its advice, not $CLAWPULSAR_STACK's", async () => {
    // Prepare: a tunnel port nothing listens on, and no IoT Core on 443 of this machine.
    const dir = join(root, 'agent-of-relay-prod');
    writeAgentHome(dir, {
      agentId: 'laptop',
      edgeUrl: apiUrl,
      tunnel: { host: '127.0.0.1', port: await closedPort(), serverName: ENDPOINT },
      issuingCa,
      serverCaPem: amazonRoot.certPem,
      stack: { name: 'Relay-Prod', region: 'eu-west-1' },
    });

    // Act
    const result = await doctorOf(dir, '--json');

    // Assess
    expect(result.byId('tunnel')?.fix).toContain(
      '`clawpulsar status --stack Relay-Prod --region eu-west-1` (where AWS credentials are at hand) shows whether the stack is up',
    );
    expect(result.stdout).not.toContain('--stack ClawPulsar');
  });

  it('when the stack is gone, fails the edge and the tunnel, each saying to check the stack', async () => {
    // Prepare
    await iot.close();
    await new Promise<void>((resolve) => api.close(() => resolve()));

    // Act
    const result = await doctor('--json');

    // Assess
    const status =
      '`clawpulsar status --stack ClawPulsar --region eu-west-1` (where AWS credentials are at hand)';
    expect(result.code).toBe(1);
    expect(result.byId('edge')).toEqual({
      id: 'edge',
      level: 'fail',
      message: `Cannot reach the stack's API at ${apiUrl} (ECONNREFUSED)`,
      fix: `Check this machine's network (a firewall or proxy in the way of HTTPS?), then the stack: ${status}`,
    });
    // IoT Core's other port is tried as well: on this machine, 443 has no IoT Core either.
    expect(result.byId('tunnel')?.message).toBe(
      `TLS to the tunnel at 127.0.0.1:${iot.port} failed (ECONNREFUSED), nor on port 443 with ALPN x-amzn-mqtt-ca`,
    );
    expect(result.byId('tunnel')?.fix).toBe(
      `Allow outbound TCP to 127.0.0.1 on port ${iot.port} or 443 (a firewall or proxy blocks both; HTTP proxies can't carry MQTT); ${status} shows whether the stack is up`,
    );
  });
});
