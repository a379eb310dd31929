import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, CliProcess } from '../../support/cliProcess.ts';
import { runCommand } from '../../support/runCommand.ts';

/**
 * `clawpulsar doctor` and `clawpulsar status` against a real local edge and a registered agent, with an
 * OpenClaw config and a listening port standing in for OpenClaw's gateway.
 */
const HOOKS_TOKEN = 'hooks-token-CANARY-4a7c';
let root: string;
let edgeDir: string;
let agentDir: string;
let openclawConfig: string;
let edge: CliProcess;
let edgeUrl: string;
let gateway: Server;

async function run(...args: string[]) {
  const result = await runCommand(process.execPath, [CLI, ...args], {
    timeoutMs: 30_000,
    env: { CLAWPULSAR_LOG_DIR: join(root, 'logs'), OPENCLAW_GATEWAY_TOKEN: undefined },
  });
  const stdout = result.stdout.toString();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    // human output
  }
  return { code: result.code, stdout, stderr: result.stderr, json };
}

const doctor = (...extra: string[]) =>
  run(
    'doctor',
    '--agent-dir',
    agentDir,
    '--data-dir',
    edgeDir,
    '--openclaw-config',
    openclawConfig,
    ...extra,
  );

type Check = { id: string; level: string; message: string; fix?: string };
const checksOf = (json: Record<string, unknown>) => json.checks as Check[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cp-doctor-'));
  edgeDir = join(root, 'edge');
  agentDir = join(root, 'agent');
  gateway = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const gatewayPort = (gateway.address() as { port: number }).port;
  openclawConfig = join(root, 'openclaw.json');
  writeFileSync(
    openclawConfig,
    `{ gateway: { port: ${gatewayPort}, auth: { token: "gw" } }, hooks: { enabled: true, token: "${HOOKS_TOKEN}" }, }`,
  );
  edge = new CliProcess([
    'dev',
    '--data-dir',
    edgeDir,
    '--port',
    '0',
    '--tunnel-port',
    '0',
    '--json',
    '--log-dir',
    join(root, 'logs'),
  ]);
  edgeUrl = JSON.parse((await edge.waitFor(/\{"status":"running".*\}/))[0]).url;
  const token = await run('token', 'create', '--agent', 'doctor-laptop', '--data-dir', edgeDir, '--json');
  const registered = await run(
    'agent',
    'register',
    '--edge',
    edgeUrl,
    '--token',
    String(token.json.token),
    '--dir',
    agentDir,
  );
  expect(registered.code, registered.stderr).toBe(0);
  for (const [source, header] of [
    ['github', `Authorization: Bearer ${HOOKS_TOKEN}`],
    ['stripe', 'Authorization: Bearer not-the-hooks-token'],
  ]) {
    const routed = await run(
      'agent',
      'route',
      'add',
      '--dir',
      agentDir,
      '--source',
      source as string,
      '--target',
      `http://127.0.0.1:${gatewayPort}/hooks/${source}`,
      '--header',
      header as string,
    );
    expect(routed.code, routed.stderr).toBe(0);
  }
}, 90_000);

afterAll(async () => {
  await edge?.stop();
  await new Promise<void>((resolve) => gateway.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

describe('clawpulsar doctor', () => {
  it('checks the edge, clock, certificate, tunnel with mutual TLS and OpenClaw, and fails the route with the wrong token', async () => {
    // Act
    const result = await doctor('--json');

    // Assess
    const checks = checksOf(result.json);
    const byId = (id: string) => checks.filter((c) => c.id === id);
    expect(byId('edge')[0]).toMatchObject({ level: 'ok' });
    expect(byId('clock')[0]).toMatchObject({ level: 'ok' });
    expect(byId('agent')[0]).toMatchObject({
      level: 'ok',
      message: `Agent "doctor-laptop" is registered with ${edgeUrl}`,
    });
    expect(byId('certificate')[0]?.level).toBe('ok');
    expect(byId('tunnel')[0]).toMatchObject({ level: 'ok' });
    expect(byId('tunnel')[0]?.message).toMatch(/Mutual TLS with the tunnel at 127\.0\.0\.1:\d+ \(TLSv1\.3\)/);
    expect(byId('openclaw').every((c) => c.level === 'ok')).toBe(true);
    expect(byId('openclaw.route').map((c) => [c.level, c.message.split(' ')[1]])).toEqual([
      ['ok', '"github"'],
      ['fail', '"stripe"'],
    ]);
    expect(byId('openclaw.route')[1]?.fix).toContain("--header 'Authorization: Bearer <hooks.token>'");
    expect(result.json.ok).toBe(false);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain(HOOKS_TOKEN);
  });

  it('prints each check with a mark and the fix under it', async () => {
    const result = await doctor();
    expect(result.stdout).toMatch(/^✓ edge {11}The edge answers at/m);
    expect(result.stdout).toMatch(/^✗ openclaw\.route Route "stripe"/m);
    expect(result.stdout).toMatch(/^ {17}fix: clawpulsar agent route add --source stripe/m);
    expect(result.stdout).toContain('1 problem to fix');
  });
});

describe('clawpulsar status', () => {
  it('shows the edge running, agents online, the last hour and this machine’s agent', async () => {
    // Act
    const result = await run('status', '--data-dir', edgeDir, '--agent-dir', agentDir, '--json');

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.json).toMatchObject({
      edge: { url: edgeUrl, running: true },
      management: { available: true },
      agents: { total: 1, online: 0 },
      deliveriesLastHour: { total: 0, byStatus: { queued: 0, delivered: 0, failed: 0, expired: 0 } },
      thisAgent: { agentId: 'doctor-laptop', online: false },
    });
  });
});

describe('when the edge is down', () => {
  it('doctor fails the edge and the tunnel, and status says how to start it', async () => {
    // Prepare
    await edge.stop();

    // Act
    const report = await doctor('--json');
    const status = await run('status', '--data-dir', edgeDir, '--agent-dir', agentDir);

    // Assess
    const checks = checksOf(report.json);
    expect(report.code).toBe(1);
    expect(checks.find((c) => c.id === 'edge')).toMatchObject({ level: 'fail' });
    expect(checks.find((c) => c.id === 'tunnel')).toMatchObject({ level: 'fail' });
    expect(checks.find((c) => c.id === 'tunnel')?.message).toContain('ECONNREFUSED');
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('not running');
    expect(status.stdout).toContain('clawpulsar dev');
  });
});
