import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedProvider, startSimulatedProvider } from '../../lambdas/edge/simulatedProvider.ts';
import { CliProcess, cli } from '../support/cliProcess.ts';
import { RecordingTarget } from '../support/RecordingTarget.ts';

/**
 * The budget monitor end to end on one machine: the edge (`clawpulsar dev`) and a registered agent
 * (`clawpulsar agent run`) as separate processes, the simulated provider as the key's base URL, and a
 * local hook standing in for OpenClaw's `/hooks/wake`.
 */
// A canary in no known key shape, so value redaction can't hide a leak from this test.
const PROVIDER_KEY = 'CANARYKEY-4b1d9e7a2c5f8e3d6a0b';
const HOOK_TOKEN = 'hook-token-e2e-71c3';
const DAY_MS = 86_400_000;

let root: string;
let edgeDir: string;
let agentDir: string;
let logDir: string;
let edge: CliProcess;
let agent: CliProcess;
let provider: SimulatedProvider;
let hook: RecordingTarget;
let ports: { http: string; tunnel: string };
let keyId: string;
const outputs: string[] = [];

async function run(args: string[]) {
  const result = await cli([...args, '--data-dir', edgeDir, '--json']);
  outputs.push(result.stdout, result.stderr);
  return result;
}

async function startEdge(http = '0', tunnel = '0'): Promise<void> {
  edge = new CliProcess([
    'dev',
    ...['--data-dir', edgeDir, '--port', http, '--tunnel-port', tunnel, '--json'],
    ...['--poll-interval', '1s', '--log-dir', logDir],
  ]);
  const [line] = await edge.waitFor(/\{"status":"running".*\}/);
  const summary = JSON.parse(line) as { url: string; tunnel: string };
  ports = { http: new URL(summary.url).port, tunnel: summary.tunnel.split(':').pop() as string };
}

async function stopEdge(): Promise<void> {
  await edge.stop();
  outputs.push(edge.stdout, edge.stderr);
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sets every UTC day of this month so far to `micros`, today's as its elapsed share of `todayMicros`. */
function spendThisMonth(todayMicros: number): void {
  const now = new Date();
  for (let day = 1; day < now.getUTCDate(); day++) {
    provider.setDailySpend(
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), day)).toISOString().slice(0, 10),
      0,
    );
  }
  provider.setDailySpend(now.toISOString().slice(0, 10), todayMicros);
}

async function status(): Promise<{ percent: number; alerts: { thresholdId?: string }[] }> {
  const result = await run(['budget', 'status', 'e2e-budget']);
  expect(result.code, result.stderr).toBe(0);
  return result.json as unknown as { percent: number; alerts: { thresholdId?: string }[] };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cp-e2e-budget-'));
  edgeDir = join(root, 'edge');
  agentDir = join(root, 'agent');
  logDir = join(root, 'logs');
  provider = await startSimulatedProvider({
    key: PROVIDER_KEY,
    logger: { info() {}, warn() {}, error() {} },
  });
  spendThisMonth(0);
  hook = await RecordingTarget.start(() => ({ status: 200 }));
  await startEdge();

  const token = await run(['token', 'create', '--agent', 'e2e-budget-agent']);
  expect(token.code, token.stderr).toBe(0);
  const edgeUrl = `http://127.0.0.1:${ports.http}`;
  const registered = await cli([
    'agent',
    'register',
    '--edge',
    edgeUrl,
    '--token',
    String(token.json.token),
    '--dir',
    agentDir,
    '--json',
  ]);
  expect(registered.code, registered.stderr).toBe(0);
  const alerts = await cli([
    'agent',
    'alerts',
    'set',
    ...[
      '--action',
      'wake',
      '--url',
      hook.url('/hooks/wake'),
      '--header',
      `Authorization: Bearer ${HOOK_TOKEN}`,
    ],
    ...['--dir', agentDir, '--json'],
  ]);
  expect(alerts.code, alerts.stderr).toBe(0);
  agent = new CliProcess(['agent', 'run', '--dir', agentDir, '--log-dir', logDir]);
  await agent.waitFor(/tunnel_ready/);

  const keyFile = join(root, 'provider.key');
  writeFileSync(keyFile, `${PROVIDER_KEY}\n`, { mode: 0o600 });
  const added = await run([
    'keys',
    'add',
    '--provider',
    'openai',
    '--label',
    'e2e org',
    '--key-file',
    keyFile,
    '--base-url',
    provider.url,
  ]);
  expect(added.code, added.stderr).toBe(0);
  keyId = (added.json as { key: { keyId: string } }).key.keyId;
  rmSync(keyFile);
  const budget = await run([
    'budget',
    'add',
    ...['--id', 'e2e-budget', '--name', 'E2E OpenAI', '--provider', 'openai', '--key', keyId],
    ...['--limit', '100', '--period', 'month', '--time-zone', 'UTC', '--threshold', '80'],
    ...['--notify-agent', 'e2e-budget-agent'],
  ]);
  expect(budget.code, budget.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await edge?.stop();
  await hook?.close();
  await provider?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('budget alerts, end to end on the local edge', () => {
  it('tells the agent once when simulated spend crosses 80 %, and its wake hook is called exactly once', async () => {
    // Prepare: polls run every second; nothing is due yet
    await eventually(async () => (await status()).percent === 0 && edge.stderr.includes('budget_poll_done'));
    expect(hook.requests).toHaveLength(0);

    // Act: today's spend so far reaches about $85 of the $100 month
    const elapsed = (Date.now() % DAY_MS) / DAY_MS;
    spendThisMonth(Math.ceil(85_000_000 / Math.max(elapsed, 1e-6)));
    await hook.waitForRequests(1, 30_000);
    // Several more polls go by
    const polls = (edge.stderr.match(/budget_poll_done/g) ?? []).length;
    await eventually(() => (edge.stderr.match(/budget_poll_done/g) ?? []).length >= polls + 4);

    // Assess
    expect(hook.requests).toHaveLength(1);
    const [wake] = hook.requests;
    expect(wake!.method).toBe('POST');
    expect(wake!.url).toBe('/hooks/wake');
    expect(wake!.headers.authorization).toBe(`Bearer ${HOOK_TOKEN}`);
    const body = JSON.parse(wake!.body.toString('utf8')) as { text: string; mode: string };
    expect(body.mode).toBe('now');
    expect(body.text).toMatch(
      /^Budget "E2E OpenAI" at 8\d\.\d% of its monthly limit\nSpent \$8\d\.\d\d of \$100\.00/,
    );
    expect(body.text).toMatch(/What to do next: /);
    const current = await status();
    expect(current.percent).toBeGreaterThanOrEqual(80);
    expect(current.alerts).toEqual([expect.objectContaining({ thresholdId: 'actual-80' })]);
  }, 90_000);

  it('does not alert again after the edge restarts', async () => {
    await stopEdge();
    await startEdge(ports.http, ports.tunnel);
    await agent.waitFor(/tunnel_ready[\s\S]*tunnel_ready/, 30_000);
    const polls = (edge.stderr.match(/budget_poll_done/g) ?? []).length;
    await eventually(() => (edge.stderr.match(/budget_poll_done/g) ?? []).length >= polls + 4);

    expect(hook.requests).toHaveLength(1);
    expect((await status()).alerts).toHaveLength(1);
  }, 90_000);

  it('exports the daily history as CSV and JSON without the key', async () => {
    const csvFile = join(root, 'history.csv');
    const csv = await run(['history', 'export', '--format', 'csv', '--out', csvFile]);
    const json = await run(['history', 'export', '--format', 'json']);

    expect(csv.code, csv.stderr).toBe(0);
    const text = readFileSync(csvFile, 'utf8');
    expect(text.split('\r\n')[0]).toBe('date,provider,key_id,amount_usd,amount_micros');
    expect(text).toContain(`openai,${keyId},`);
    expect((json.json as { days: { keyId: string }[] }).days.every((day) => day.keyId === keyId)).toBe(true);
    outputs.push(text);
  });

  it('only ever called the usage endpoint with the key', () => {
    expect(provider.requests.length).toBeGreaterThan(5);
    for (const request of provider.requests) {
      expect(request).toMatchObject({ method: 'GET', path: '/v1/organization/costs', authorized: true });
    }
  });

  it('never wrote the provider key to the data dir, the logs, stderr or any output', async () => {
    await stopEdge();
    outputs.push(agent.stdout, agent.stderr);
    const files = [...walk(edgeDir), ...walk(logDir), ...walk(agentDir)];
    expect(files.some((file) => file.endsWith('edge.sqlite'))).toBe(true);
    expect(files.some((file) => file.endsWith('edge.log'))).toBe(true);
    const canary = Buffer.from(PROVIDER_KEY);
    for (const file of files) expect(readFileSync(file).includes(canary), file).toBe(false);
    for (const output of outputs) expect(output.includes(PROVIDER_KEY)).toBe(false);
    // The last 4 characters are shown on purpose; no longer piece of the key is.
    for (const output of outputs) expect(output.includes(PROVIDER_KEY.slice(-12))).toBe(false);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
