import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign as signGithub, verify as verifyGithub } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliProcess, cli } from '../support/cliProcess.ts';
import { RecordingTarget } from '../support/RecordingTarget.ts';

/**
 * The product end to end on one machine: the edge and the agent as separate processes, exactly as a
 * user runs them, with real sockets, mutual TLS, SQLite, and a local HTTP target.
 */
const GITHUB_SECRET = 'gh-secret-CANARY-7f3a91';
const STRIPE_SECRET = 'whsec_CANARYc2VjcmV0LWZvci1zdHJpcGU';
const BODY_CANARY = 'BODY-CANARY-5d2e8c';
const stripe = new Stripe('sk_test_unused');

let edgeDir: string;
let agentDir: string;
let edge: CliProcess;
let agent: CliProcess;
let target: RecordingTarget;
let edgeUrl: string;
let ports: { http: string; tunnel: string };

async function startEdge(http = '0', tunnel = '0'): Promise<void> {
  edge = new CliProcess(['dev', '--data-dir', edgeDir, '--port', http, '--tunnel-port', tunnel, '--json']);
  const [line] = await edge.waitFor(/\{"status":"running".*\}/);
  const summary = JSON.parse(line) as { url: string; tunnel: string };
  edgeUrl = summary.url;
  ports = { http: new URL(summary.url).port, tunnel: summary.tunnel.split(':').pop() as string };
}

async function startAgent(): Promise<void> {
  agent = new CliProcess(['agent', 'run', '--dir', agentDir]);
  await agent.waitFor(/tunnel_ready/);
}

async function post(sourceId: string, body: string, headers: Record<string, string>, agentId = 'e2e-laptop') {
  return fetch(`${edgeUrl}/v1/hooks/${agentId}/${sourceId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

async function githubWebhook(
  id: string,
  extra = '',
): Promise<{ body: string; headers: Record<string, string> }> {
  const body = JSON.stringify({ action: 'opened', issue: { number: 1, title: `${BODY_CANARY}${extra}` } });
  return {
    body,
    headers: {
      'x-hub-signature-256': await signGithub(GITHUB_SECRET, body),
      'x-github-delivery': id,
      'x-github-event': 'issues',
    },
  };
}

async function deliveries(
  query = '',
): Promise<{ deliveryId: string; status: string; statusCode?: number }[]> {
  const result = await cli([
    'deliveries',
    'list',
    '--data-dir',
    edgeDir,
    '--json',
    '--limit',
    '1000',
    ...query.split(' ').filter(Boolean),
  ]);
  return (result.json as { deliveries: { deliveryId: string; status: string; statusCode?: number }[] })
    .deliveries;
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const arrivalsOf = (deliveryId: string) =>
  target.requests.filter((r) => r.headers['idempotency-key'] === deliveryId);

beforeAll(async () => {
  edgeDir = mkdtempSync(join(tmpdir(), 'cp-e2e-edge-'));
  agentDir = mkdtempSync(join(tmpdir(), 'cp-e2e-agent-'));
  target = await RecordingTarget.start((request) =>
    request.headers['x-test-delay']
      ? { status: 200, delayMs: Number(request.headers['x-test-delay']) }
      : { status: 200 },
  );
  await startEdge();
  const token = await cli(['token', 'create', '--agent', 'e2e-laptop', '--data-dir', edgeDir, '--json']);
  expect(token.code).toBe(0);
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
  for (const [id, provider, secret] of [
    ['github', 'github', GITHUB_SECRET],
    ['stripe', 'stripe', STRIPE_SECRET],
  ] as const) {
    const added = await cli([
      'source',
      'add',
      '--agent',
      'e2e-laptop',
      '--id',
      id,
      '--provider',
      provider,
      '--secret',
      secret,
      '--data-dir',
      edgeDir,
      '--json',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const routed = await cli([
      'agent',
      'route',
      'add',
      '--source',
      id,
      '--target',
      `http://127.0.0.1:${target.port}/hooks/${id}`,
      '--dir',
      agentDir,
    ]);
    expect(routed.code, routed.stderr).toBe(0);
  }
  await startAgent();
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await edge?.stop();
  await target?.close();
  rmSync(edgeDir, { recursive: true, force: true });
  rmSync(agentDir, { recursive: true, force: true });
});

describe('local edge and agent, end to end', () => {
  it('delivers signed GitHub and Stripe webhooks byte-identical, their signatures still valid at the target', async () => {
    const gh = await githubWebhook('gh-delivery-1');
    expect((await post('github', gh.body, gh.headers)).status).toBe(200);
    const stripeBody = JSON.stringify(
      { id: 'evt_e2e_1', object: 'event', type: 'invoice.paid', data: { note: BODY_CANARY } },
      null,
      2,
    );
    const stripeHeader = stripe.webhooks.generateTestHeaderString({
      payload: stripeBody,
      secret: STRIPE_SECRET,
    });
    expect((await post('stripe', stripeBody, { 'stripe-signature': stripeHeader })).status).toBe(200);

    await eventually(() => arrivalsOf('gh-delivery-1').length > 0 && arrivalsOf('evt_e2e_1').length > 0);
    const ghArrived = arrivalsOf('gh-delivery-1')[0]!;
    expect(ghArrived.body.toString('utf8')).toBe(gh.body);
    expect(ghArrived.url).toBe('/hooks/github');
    expect(
      await verifyGithub(
        GITHUB_SECRET,
        ghArrived.body.toString('utf8'),
        String(ghArrived.headers['x-hub-signature-256']),
      ),
    ).toBe(true);
    const stripeArrived = arrivalsOf('evt_e2e_1')[0]!;
    expect(stripeArrived.body.equals(Buffer.from(stripeBody))).toBe(true);
    const event = stripe.webhooks.constructEvent(
      stripeArrived.body,
      String(stripeArrived.headers['stripe-signature']),
      STRIPE_SECRET,
    );
    expect(event.id).toBe('evt_e2e_1');
    await eventually(async () => (await deliveries()).filter((d) => d.status === 'delivered').length >= 2);
  });

  it('answers a retried webhook 200 without queueing it twice', async () => {
    const gh = await githubWebhook('gh-retry-1');
    expect((await post('github', gh.body, gh.headers)).status).toBe(200);
    const again = await post('github', gh.body, gh.headers);
    expect(again.status).toBe(200);
    expect(((await again.json()) as { status: string }).status).toBe('duplicate');
    await eventually(() => arrivalsOf('gh-retry-1').length === 1);
    expect((await deliveries()).filter((d) => d.deliveryId === 'gh-retry-1')).toHaveLength(1);
  });

  it('refuses forged, tampered and stale webhooks with 401 and queues nothing', async () => {
    const before = (await deliveries()).length;
    const gh = await githubWebhook('gh-forged-1');
    const forged = await post('github', gh.body, {
      ...gh.headers,
      'x-hub-signature-256': await signGithub('not-the-secret', gh.body),
    });
    const tampered = await post('github', gh.body.replace('opened', 'closed'), gh.headers);
    const oldTimestamp = Math.floor(Date.now() / 1000) - 3600;
    const staleBody = JSON.stringify({ id: 'evt_stale', object: 'event' });
    const stale = await post('stripe', staleBody, {
      'stripe-signature': stripe.webhooks.generateTestHeaderString({
        payload: staleBody,
        secret: STRIPE_SECRET,
        timestamp: oldTimestamp,
      }),
    });
    const unsigned = await post('github', gh.body, { 'x-github-delivery': 'gh-unsigned' });
    for (const response of [forged, tampered, stale, unsigned]) {
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('verification_failed');
    }
    expect((await deliveries()).length).toBe(before);
  });

  it('answers 404 for an unknown agent or source and 413 above 10 MB', async () => {
    const gh = await githubWebhook('gh-404');
    expect((await post('github', gh.body, gh.headers, 'nobody-here')).status).toBe(404);
    expect((await post('gitlab', gh.body, gh.headers)).status).toBe(404);
    expect((await post('github', 'x'.repeat(10 * 1024 * 1024 + 1), gh.headers)).status).toBe(413);
  });

  it('keeps webhooks while the agent is offline and delivers them all when it comes back', async () => {
    await agent.stop();
    const ids = ['gh-offline-1', 'gh-offline-2', 'gh-offline-3', 'gh-offline-4', 'gh-offline-5'];
    for (const id of ids) {
      const gh = await githubWebhook(id);
      expect((await post('github', gh.body, gh.headers)).status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(ids.every((id) => arrivalsOf(id).length === 0)).toBe(true);
    await startAgent();
    await eventually(() => ids.every((id) => arrivalsOf(id).length >= 1));
    await eventually(async () => {
      const list = await deliveries();
      return ids.every((id) => list.find((d) => d.deliveryId === id)?.status === 'delivered');
    });
  });

  /** Posts `count` signed GitHub webhooks, `concurrency` at a time; their delivery ids. */
  async function postMany(prefix: string, count: number, headers: Record<string, string> = {}) {
    const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        const gh = await githubWebhook(id);
        expect((await post('github', gh.body, { ...gh.headers, ...headers })).status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    return ids;
  }

  it('delivers a backlog larger than the agent’s delivery window when it comes back, each webhook once', async () => {
    await agent.stop();
    const ids = await postMany('gh-backlog', 700);
    await startAgent();
    await eventually(() => ids.every((id) => arrivalsOf(id).length >= 1), 60_000);
    expect(ids.filter((id) => arrivalsOf(id).length !== 1)).toEqual([]);
    await eventually(async () => {
      const list = await deliveries('--status delivered');
      return ids.every((id) => list.some((d) => d.deliveryId === id));
    });
  }, 90_000);

  it('delivers everything to a connected agent whose target is slower than the webhooks, past its window', async () => {
    // 800 webhooks at 100 ms each through 16 forwarding slots: the agent falls 500+ behind.
    const ids = await postMany('gh-slow', 800, { 'x-test-delay': '100' });
    await eventually(() => ids.every((id) => arrivalsOf(id).length >= 1), 60_000);
    expect(ids.filter((id) => arrivalsOf(id).length !== 1)).toEqual([]);
  }, 90_000);

  it('delivers a webhook whose agent was killed mid-delivery, with the same idempotency key', async () => {
    const gh = await githubWebhook('gh-killed-1');
    expect((await post('github', gh.body, { ...gh.headers, 'x-test-delay': '2000' })).status).toBe(200);
    await eventually(() => arrivalsOf('gh-killed-1').length === 1);
    await agent.stop('SIGKILL');
    await startAgent();
    await eventually(
      async () => (await deliveries()).find((d) => d.deliveryId === 'gh-killed-1')?.status === 'delivered',
      60_000,
    );
    const arrivals = arrivalsOf('gh-killed-1');
    expect(arrivals.length).toBeGreaterThanOrEqual(1);
    for (const arrival of arrivals) expect(arrival.body.toString('utf8')).toBe(gh.body);
  }, 90_000);

  it('loses nothing when the edge is killed with envelopes waiting', async () => {
    await agent.stop();
    const ids = ['gh-crash-1', 'gh-crash-2', 'gh-crash-3'];
    for (const id of ids) {
      const gh = await githubWebhook(id);
      expect((await post('github', gh.body, gh.headers)).status).toBe(200);
    }
    await edge.stop('SIGKILL');
    await startEdge(ports.http, ports.tunnel);
    await startAgent();
    await eventually(() => ids.every((id) => arrivalsOf(id).length >= 1), 30_000);
    await eventually(async () => {
      const list = await deliveries();
      return ids.every((id) => list.find((d) => d.deliveryId === id)?.status === 'delivered');
    });
  }, 90_000);

  it('never writes a webhook body, signing secret or agent private key to the edge data dir or logs', async () => {
    const agentKey = readFileSync(join(agentDir, 'tls.key'), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('-----'))
      .join('');
    const sealingKey = readFileSync(join(agentDir, 'sealing.key'), 'utf8').trim();
    const canaries = [
      BODY_CANARY,
      GITHUB_SECRET,
      STRIPE_SECRET,
      'CANARYc2VjcmV0',
      agentKey.slice(0, 40),
      sealingKey.slice(0, 20),
    ];
    const edgeFiles = walk(edgeDir).map((f) => readFileSync(f));
    const edgeLogs = Buffer.from(edge.stdout + edge.stderr);
    for (const blob of [...edgeFiles, edgeLogs]) {
      for (const canary of canaries) expect(blob.includes(canary), canary).toBe(false);
    }
    // The agent keeps its own keys (0600) but never a body or a signing secret.
    const agentBlobs = [
      ...walk(agentDir).map((f) => readFileSync(f)),
      Buffer.from(agent.stdout + agent.stderr),
    ];
    for (const blob of agentBlobs) {
      for (const canary of [BODY_CANARY, GITHUB_SECRET, STRIPE_SECRET])
        expect(blob.includes(canary), canary).toBe(false);
    }
    for (const file of [...walk(edgeDir), ...walk(agentDir)]) {
      if (/key|token|sqlite|\.json$/.test(file)) expect(statSync(file).mode & 0o077, file).toBe(0);
    }
  });

  it('revokes an agent: its tunnel closes, it cannot reconnect, its webhook URLs answer 404', async () => {
    const revoked = await cli(['agents', 'revoke', 'e2e-laptop', '--data-dir', edgeDir, '--json']);
    expect(revoked.code, revoked.stderr).toBe(0);
    await agent.waitFor(/revoked|not authori[sz]ed|tunnel_(refused|error|closed)/i, 20_000);
    const gh = await githubWebhook('gh-after-revoke');
    expect((await post('github', gh.body, gh.headers)).status).toBe(404);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
