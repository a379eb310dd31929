import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteWriteBatcher } from '../../../lambdas/adapters/local/SqliteWriteBatcher.ts';
import { handleIngress } from '../../../lambdas/core/ingress/handleIngress.ts';
import { LocalDispatcher } from '../../../lambdas/edge/LocalDispatcher.ts';
import { type RelayFixture, relayFixture } from '../../support/relayFixture.ts';
import { signedRequest } from '../core/signatures/support/signedRequest.ts';

const SECRET = 'dispatcher-test-secret';
const DELIVERIES = 'clawpulsar/laptop/deliveries';

let f: RelayFixture;
let dispatcher: LocalDispatcher;
let commits: number;
beforeEach(async () => {
  f = relayFixture();
  await f.addAgent('laptop');
  await f.addSource('laptop', 'github', { provider: 'github', secrets: [SECRET] });
  f.commit();
  // random() = 0.5: no jitter, so every look-again time is exact.
  dispatcher = new LocalDispatcher(f.queue, {
    publisher: f.tunnel,
    presence: f.presence,
    deliveryLog: f.deliveryLog,
    clock: f.clock,
    logger: f.logger,
    random: () => 0.5,
  });
  commits = 0;
  SqliteWriteBatcher.for(f.db).afterCommit(() => commits++);
});
afterEach(() => {
  SqliteWriteBatcher.for(f.db).afterCommit(undefined);
  f.close();
});

const connect = () =>
  f.presence.apply({ agentId: 'laptop', connected: true, at: f.clock.now(), sessionId: 's1' });

/** A signed webhook through the ingress, queued by the dispatcher as the edge wires it; its envelope id. */
async function receive(): Promise<string> {
  const body = JSON.stringify({ action: 'opened', id: randomUUID() });
  const request = signedRequest({
    url: 'https://hooks.example.com/v1/hooks/laptop/github',
    headers: {
      'content-type': 'application/json',
      'x-github-delivery': randomUUID(),
      'x-github-event': 'issues',
      'x-hub-signature-256': await sign(SECRET, body),
    },
    body,
  });
  const response = await handleIngress(
    f.ingressDeps({ queue: dispatcher.ingressQueue }),
    { agentId: 'laptop', sourceId: 'github' },
    request,
  );
  expect(response.status).toBe(200);
  return (JSON.parse(response.body) as { envelopeId: string }).envelopeId;
}

/** Lets the dispatch started by the ingress run to its end (well short of the deferred log's 50 ms). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function row(envelopeId: string) {
  return f.db
    .prepare('SELECT attempts, next_attempt_at AS nextAttemptAt FROM envelopes WHERE envelope_id = ?')
    .get(envelopeId) as { attempts: number; nextAttemptAt: number } | undefined;
}

describe('LocalDispatcher', () => {
  it('stores a new webhook as published once and publishes it at once, in one commit: nothing is left to write', async () => {
    // Prepare
    await connect();
    f.commit();
    commits = 0;

    // Act
    const envelopeId = await receive();
    await settle();

    // Assess
    expect(f.tunnel.messages.map((message) => message.topic)).toEqual([DELIVERIES]);
    expect(row(envelopeId)).toEqual({ attempts: 1, nextAttemptAt: f.clock.now() + 30_000 });
    expect(commits).toBe(1);
  });

  it('leaves an envelope stored as published alone until its look-again time, then publishes it as attempt 2', async () => {
    // Prepare
    await connect();
    const envelopeId = await receive();
    await settle();

    // Act
    await dispatcher.pump();
    const publishedBeforeDue = f.tunnel.messages.length;
    f.clock.advance(30_000);
    await dispatcher.pump();
    await settle();

    // Assess
    expect(publishedBeforeDue).toBe(1);
    expect(f.tunnel.messages.length).toBe(2);
    expect(row(envelopeId)).toEqual({ attempts: 2, nextAttemptAt: f.clock.now() + 60_000 });
  });

  it('writes a hold over the stored publish when the agent is offline: no attempt counted, nothing published', async () => {
    // Act
    const envelopeId = await receive();
    await settle();

    // Assess
    expect(f.tunnel.messages).toEqual([]);
    expect(row(envelopeId)).toEqual({ attempts: 0, nextAttemptAt: f.clock.now() + 30_000 });
  });

  it('writes a retry over the stored publish when the publish fails: no attempt counted', async () => {
    // Prepare
    await connect();
    f.tunnel.fail = true;

    // Act
    const envelopeId = await receive();
    await settle();

    // Assess
    expect(row(envelopeId)).toEqual({ attempts: 0, nextAttemptAt: f.clock.now() + 30_000 });
    expect(f.logger.events()).toContain('publish_failed');
  });

  it('publishes everything waiting for an agent on flush, whatever its look-again time, and counts each attempt', async () => {
    // Prepare: two webhooks while the agent was offline, held.
    const first = await receive();
    const second = await receive();
    await settle();
    await connect();

    // Act
    await dispatcher.flush('laptop');

    // Assess
    expect(f.tunnel.messages.length).toBe(2);
    expect(row(first)?.attempts).toBe(1);
    expect(row(second)?.attempts).toBe(1);
  });
});
