import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_RUNTIME } from '../bin/cli/service/ServiceSpec.ts';
import { percentile, printTable } from './measure.ts';
import { waitForOutput } from './waitForOutput.ts';

const CLI = 'dist/clawpulsar.mjs';
const SECRET = 'bench-github-secret';
const BODY_BYTES = 1024;

interface Harness {
  edge: ChildProcess;
  agent: ChildProcess;
  ingress: string;
  close(): Promise<void>;
}

/**
 * End to end on the local edge, edge and agent as separate processes: signed GitHub-style webhooks
 * POSTed to the edge, arrivals matched at a local target by delivery id. Closed loop at concurrency
 * 1, 10 and 50 (5,000 webhooks each), latency at a fixed 200 webhooks/s, and each process's peak RSS.
 */
export async function endToEndBench(): Promise<void> {
  const h = await startHarness();
  try {
    const rows: (string | number)[][] = [];
    for (const concurrency of (process.env.BENCH_CONCURRENCY ?? '1,10,50').split(',').map(Number)) {
      const r = await closedLoop(h, 5_000, concurrency);
      rows.push([`closed loop c=${concurrency}`, r.n, r.perSecond, r.p50, r.p99, r.lost]);
    }
    const open = await fixedRate(h, 200, 2_000);
    rows.push(['fixed 200/s', open.n, open.perSecond, open.p50, open.p99, open.lost]);
    printTable(
      'End to end, local edge + agent as separate processes, 1 KB signed webhooks (targets: >= 1,300/s at c=50; at 200/s p50 <= 2 ms, p99 <= 10 ms)',
      ['run', 'webhooks', 'per second', 'p50 ms', 'p99 ms', 'lost'],
      rows,
    );
    printTable(
      'Peak memory (VmHWM) (targets: agent < 80 MB, edge < 200 MB)',
      ['process', 'peak RSS MB'],
      [
        ['edge', peakRssMb(h.edge.pid)],
        ['agent', peakRssMb(h.agent.pid)],
      ],
    );
  } finally {
    await h.close();
  }
}

async function closedLoop(h: Harness, n: number, concurrency: number) {
  const latencies: number[] = [];
  const http = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const start = performance.now();
  // Delivery ids must be new in every run: the edge dedupes them for 72 h.
  const tag = `c${concurrency}-run${++runCounter}`;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const id = `${tag}-${next++}`;
        const sent = performance.now();
        await sendAndArrive(h, http, id);
        latencies.push(performance.now() - sent);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  http.destroy();
  latencies.sort((a, b) => a - b);
  return {
    n,
    perSecond: n / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    lost: n - latencies.length,
  };
}

async function fixedRate(h: Harness, perSecond: number, n: number) {
  const http = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies: number[] = [];
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = start + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const id = `rate-${i}`;
    const sent = performance.now();
    pending.push(sendAndArrive(h, http, id).then(() => void latencies.push(performance.now() - sent)));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  http.destroy();
  latencies.sort((a, b) => a - b);
  return {
    n,
    perSecond: n / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    lost: n - latencies.length,
  };
}

const waiters = new Map<string, () => void>();
let runCounter = 0;

/** POSTs one signed webhook and resolves when it arrived at the target (with a 30 s cap). */
function sendAndArrive(h: Harness, http: Agent, id: string): Promise<void> {
  const body = Buffer.from(JSON.stringify({ id, pad: 'x'.repeat(BODY_BYTES - 20 - id.length) }));
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const arrived = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lost ${id}`)), 30_000);
    waiters.set(id, () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const accepted = new Promise<void>((resolve, reject) => {
    const req = request(
      `${h.ingress}`,
      {
        method: 'POST',
        agent: http,
        headers: {
          'content-type': 'application/json',
          'content-length': body.byteLength,
          'x-hub-signature-256': signature,
          'x-github-delivery': id,
          'x-github-event': 'push',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  return Promise.all([accepted, arrived]).then(() => undefined);
}

async function startHarness(): Promise<Harness> {
  const edgeDir = mkdtempSync(join(tmpdir(), 'cp-bench-edge-'));
  const agentDir = mkdtempSync(join(tmpdir(), 'cp-bench-agent-'));
  const target = createServer((req, res) => {
    const id = String(req.headers['idempotency-key'] ?? '');
    req.resume();
    req.on('end', () => {
      res.writeHead(200).end();
      waiters.get(id)?.();
      waiters.delete(id);
    });
  });
  target.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const targetPort = (target.address() as AddressInfo).port;

  const edge = spawn(
    process.execPath,
    [
      ...SERVICE_RUNTIME.edge.nodeOptions,
      CLI,
      'dev',
      '--data-dir',
      edgeDir,
      '--port',
      '0',
      '--tunnel-port',
      '0',
      '--json',
      '--quiet',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...SERVICE_RUNTIME.edge.env },
    },
  );
  const summary = await waitForOutput(edge, edge.stdout!, (out) => {
    const line = out.split('\n').find((l) => l.startsWith('{') && l.endsWith('}'));
    return line ? (JSON.parse(line) as { url: string }) : undefined;
  });
  const run = (args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  const token = JSON.parse(
    run(['token', 'create', '--agent', 'bench-agent', '--data-dir', edgeDir, '--json']),
  ) as { token: string };
  run(['agent', 'register', '--edge', summary.url, '--token', token.token, '--dir', agentDir]);
  run([
    'source',
    'add',
    '--agent',
    'bench-agent',
    '--id',
    'github',
    '--provider',
    'github',
    '--secret',
    SECRET,
    '--data-dir',
    edgeDir,
  ]);
  run([
    'agent',
    'route',
    'add',
    '--source',
    'github',
    '--target',
    `http://127.0.0.1:${targetPort}/hooks/github`,
    '--dir',
    agentDir,
  ]);
  // The agent as its service runs it (bin/cli/service/ServiceSpec.ts).
  const agent = spawn(
    process.execPath,
    [...SERVICE_RUNTIME.agent.nodeOptions, CLI, 'agent', 'run', '--dir', agentDir],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...SERVICE_RUNTIME.agent.env },
    },
  );
  await waitForOutput(agent, agent.stderr!, (err) => err.includes('tunnel_ready') || undefined);
  const h: Harness = {
    edge,
    agent,
    ingress: `${summary.url}/v1/hooks/bench-agent/github`,
    async close() {
      agent.kill('SIGTERM');
      edge.kill('SIGTERM');
      target.closeAllConnections();
      target.close();
      await new Promise((r) => setTimeout(r, 500));
      rmSync(edgeDir, { recursive: true, force: true });
      rmSync(agentDir, { recursive: true, force: true });
    },
  };
  // Warm up: connections, JIT, SQLite pages.
  await closedLoop(h, 300, 10);
  return h;
}

function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}
