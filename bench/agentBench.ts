import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { readAgentConfig, writeAgentConfig } from '../agent/config/agentConfigFile.ts';
import { agentPaths } from '../agent/home/agentPaths.ts';
import { registerWithEdge } from '../agent/registration/registerWithEdge.ts';
import { SERVICE_RUNTIME } from '../bin/cli/service/ServiceSpec.ts';
import { tempAgentDir } from '../test/agent/agentFixtures.ts';
import { TestEdge } from '../test/support/testEdge.ts';
import { percentile, printTable } from './measure.ts';
import { waitForOutput } from './waitForOutput.ts';

const CLI = 'dist/clawpulsar.mjs';
const BODY = Buffer.from(JSON.stringify({ action: 'opened', pad: 'x'.repeat(1000) }));

/**
 * The agent on its own: (1) forwarding 1 KB POSTs to a local target in another process, node:http with
 * a keep-alive pool against the global (undici) fetch, both at 16 in flight; (2) `clawpulsar agent run`
 * as a child process fed pre-sealed 1 KB envelopes by the edge's TunnelBroker, at most 256 un-acked at
 * a time: deliveries per second, publish→ack latency, agent CPU per delivery and peak RSS.
 */
export async function agentBench(): Promise<void> {
  if (!process.env.AGENT_ONLY_THROUGHPUT) await forwarderComparison();
  await agentThroughput(Number(process.env.AGENT_DELIVERIES ?? 20_000));
}

async function forwarderComparison(): Promise<void> {
  const target = await childTarget();
  try {
    const url = `http://127.0.0.1:${target.port}/hooks`;
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 16 });
    const viaHttp = () =>
      new Promise<void>((resolve, reject) => {
        const req = request(url, {
          method: 'POST',
          agent: keepAlive,
          headers: { 'content-type': 'application/json', 'content-length': BODY.byteLength },
        });
        req.on('response', (res) => {
          res.resume();
          resolve();
        });
        req.on('error', reject);
        req.end(BODY);
      });
    const viaFetch = async () => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY,
      });
      await res.arrayBuffer();
    };
    const rows: (string | number)[][] = [];
    for (const [label, send] of [
      ['node:http keep-alive', viaHttp],
      ['fetch (undici)', viaFetch],
      ['node:http keep-alive', viaHttp],
      ['fetch (undici)', viaFetch],
    ] as const) {
      const r = await concurrent(send, 10_000, 16);
      rows.push([label, r.n, r.perSecond, r.cpuUsPerRequest]);
    }
    keepAlive.destroy();
    printTable(
      'Agent forwarding to a local target in another process, 1 KB POSTs, 16 in flight (run twice each, alternating)',
      ['client', 'requests', 'per second', 'client CPU µs/request'],
      rows,
    );
  } finally {
    target.child.kill();
  }
}

async function concurrent(send: () => Promise<void>, n: number, inFlight: number) {
  for (let i = 0; i < 500; i++) await send();
  let next = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < n) await send();
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { n, perSecond: n / seconds, cpuUsPerRequest: (used.user + used.system) / n };
}

async function agentThroughput(n: number): Promise<void> {
  const edge = await TestEdge.start();
  const home = tempAgentDir();
  let arrived = 0;
  const target = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrived++;
      res.end();
    });
  });
  target.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  let agent: ChildProcess | undefined;
  try {
    await registerWithEdge({ dir: home.dir, edgeUrl: edge.url, token: edge.issueToken('bench-agent') });
    const paths = agentPaths(home.dir);
    const config = readAgentConfig(paths);
    const port = (target.address() as AddressInfo).port;
    writeAgentConfig(paths, {
      ...config,
      routes: { github: { target: `http://127.0.0.1:${port}/hooks/github` } },
    });
    // AGENT_NODE_OPTIONS=--cpu-prof profiles the agent process alone.
    const logDir = join(dirname(home.dir), 'logs');
    agent = spawn(
      process.execPath,
      // As its service runs it (bin/cli/service/ServiceSpec.ts).
      [
        ...SERVICE_RUNTIME.agent.nodeOptions,
        CLI,
        'agent',
        'run',
        '--dir',
        home.dir,
        '--json-logs',
        '--log-dir',
        logDir,
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: {
          ...process.env,
          ...SERVICE_RUNTIME.agent.env,
          NODE_OPTIONS: process.env.AGENT_NODE_OPTIONS ?? '',
        },
      },
    );
    await waitForOutput(agent, agent.stderr!, (err) => err.includes('tunnel_ready') || undefined);

    const envelopes = Array.from({ length: n + 500 }, (_, i) =>
      edge.seal('bench-agent', {
        sourceId: 'github',
        deliveryId: `bench-${i}`,
        request: {
          method: 'POST',
          path: '/',
          query: '',
          headers: { 'content-type': 'application/json' },
          body: BODY,
        },
      }),
    );
    const rows: (string | number)[][] = [];
    let offset = 0;
    for (const [label, count, window] of [
      ['warm-up', 500, 64],
      ['256 un-acked', n, 256],
    ] as const) {
      const batch = envelopes.slice(offset, offset + count);
      offset += count;
      const cpuBefore = cpuTicks(agent.pid!);
      const r = await pump(edge, batch, window);
      const cpuMs = (cpuTicks(agent.pid!) - cpuBefore) * 10;
      if (label !== 'warm-up')
        rows.push([label, r.n, r.perSecond, r.p50, r.p99, (cpuMs * 1000) / r.n, arrived - offset]);
    }
    printTable(
      'Agent process alone: pre-sealed 1 KB envelopes from the TunnelBroker to a local target (target: the whole relay >= 1,300/s)',
      ['run', 'deliveries', 'per second', 'p50 ms', 'p99 ms', 'agent CPU µs/delivery', 'duplicates'],
      rows,
    );
    printTable(
      'Agent peak memory (VmHWM) (target: < 80 MB)',
      ['process', 'peak RSS MB'],
      [['agent', peakRssMb(agent.pid!)]],
    );
  } finally {
    agent?.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    target.closeAllConnections();
    target.close();
    await edge.close();
    home.remove();
  }
}

/** Publishes envelopes keeping at most `window` un-acked; resolves when all are acked. */
async function pump(edge: TestEdge, batch: { envelopeId: string; sealed: Uint8Array }[], window: number) {
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const firstAck = edge.acks.length;
  let seen = firstAck;
  let published = 0;
  const start = performance.now();
  while (latencies.length < batch.length) {
    while (published < batch.length && published - latencies.length < window) {
      const { envelopeId, sealed } = batch[published++]!;
      sentAt.set(envelopeId, performance.now());
      await edge.publishEnvelope('bench-agent', envelopeId, sealed);
    }
    await edge.waitFor(() => edge.acks.length > seen, 30_000, 'acks');
    for (; seen < edge.acks.length; seen++) {
      const at = sentAt.get(edge.acks[seen]!.ack.envelopeId);
      if (at !== undefined) latencies.push(performance.now() - at);
    }
  }
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    n: batch.length,
    perSecond: batch.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

/** A counting HTTP target in its own process, so the client's CPU is measured alone. */
async function childTarget(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      "const s=require('http').createServer((q,r)=>{q.resume();q.on('end',()=>r.end())});s.keepAliveTimeout=60000;s.listen(0,'127.0.0.1',()=>console.log(s.address().port))",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) =>
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString()))),
  );
  return { child, port };
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}
