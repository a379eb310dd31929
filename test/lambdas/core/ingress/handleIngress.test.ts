import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '@octokit/webhooks-methods';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileKeyCustody } from '../../../../lambdas/adapters/local/FileKeyCustody.ts';
import { openEnvelope, SenderSetupReserve } from '../../../../lambdas/core/envelope/index.ts';
import { handleIngress } from '../../../../lambdas/core/ingress/handleIngress.ts';
import type { IngressResponse } from '../../../../lambdas/core/ingress/IngressResponse.ts';
import { MAX_WEBHOOK_BODY_BYTES, RETENTION_MS } from '../../../../lambdas/core/ingress/limits.ts';
import type { DedupeStore, DeliveryLog, EnvelopeQueue } from '../../../../lambdas/core/ports.ts';
import { createSourceDirectory } from '../../../../lambdas/core/sources/createSourceDirectory.ts';
import type { WebhookRequest } from '../../../../lambdas/core/WebhookRequest.ts';
import { type RelayFixture, relayFixture } from '../../../support/relayFixture.ts';
import { oracles } from '../signatures/support/oracles.ts';
import { signedRequest } from '../signatures/support/signedRequest.ts';

const BASE = 'https://hooks.example.com/v1/hooks';
const GITHUB_SECRET = 'CANARY-github-secret-5f1d0c2b';
const SLACK_SECRET = 'CANARY-slack-secret-8e2a91c4';
const META_SECRET = 'CANARY-meta-app-secret-3b7d';
const META_VERIFY_TOKEN = 'CANARY-meta-verify-token-a19f';
const BODY_CANARY = 'CANARY-body-7c41e0';

const slackOracle = oracles.find((o) => o.provider.id === 'slack')!;

let f: RelayFixture;
beforeEach(async () => {
  f = relayFixture();
  await f.addAgent('laptop');
  await f.addSource('laptop', 'github', { provider: 'github', secrets: [GITHUB_SECRET] });
  await f.addSource('laptop', 'slack', { provider: 'slack', secrets: [SLACK_SECRET] });
  await f.addSource('laptop', 'meta', {
    provider: 'meta',
    secrets: [META_SECRET],
    verifyToken: META_VERIFY_TOKEN,
  });
});
afterEach(() => {
  // Every test, whatever path it took: no secret or body ever reaches a log line.
  expect(JSON.stringify(f.logger.lines)).not.toContain('CANARY');
  f.close();
});

const route = (sourceId: string, agentId = 'laptop') => ({ agentId, sourceId });
const nowSeconds = () => Math.floor(f.clock.now() / 1000);

async function githubRequest(
  body: string,
  deliveryId: string = randomUUID(),
  extra: Record<string, string> = {},
  secret = GITHUB_SECRET,
): Promise<WebhookRequest> {
  return signedRequest({
    url: `${BASE}/laptop/github`,
    headers: {
      'content-type': 'application/json',
      'x-github-delivery': deliveryId,
      'x-github-event': 'push',
      'x-hub-signature-256': await sign(secret, body),
      ...extra,
    },
    body,
  });
}

async function slackRequest(body: string, at = nowSeconds(), secret = SLACK_SECRET): Promise<WebhookRequest> {
  return signedRequest({
    url: `${BASE}/laptop/slack`,
    headers: { 'content-type': 'application/json', ...(await slackOracle.sign(body, secret, at)) },
    body,
  });
}

/** Meta signs the raw body bytes (HMAC-SHA256, hex) and sends no delivery id. */
function metaRequest(body: Uint8Array): WebhookRequest {
  return signedRequest({
    url: `${BASE}/laptop/meta`,
    headers: {
      'content-type': 'application/octet-stream',
      'x-hub-signature-256': `sha256=${createHmac('sha256', META_SECRET).update(body).digest('hex')}`,
    },
    body,
  });
}

/** What the relay holds after a request: envelopes, delivery-log rows, dedupe claims. */
function stored() {
  f.commit();
  const count = (table: string) =>
    Number((f.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
  return { envelopes: count('envelopes'), log: count('delivery_log'), claims: count('dedupe') };
}

const NOTHING = { envelopes: 0, log: 0, claims: 0 };

/** The shared error shape, without a secret, a body canary or any of `extra` in it. */
function expectCleanError(response: IngressResponse, status: number, code: string, extra: string[] = []) {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  const parsed = JSON.parse(response.body) as { error: { code: string; message: string } };
  expect(Object.keys(parsed)).toEqual(['error']);
  expect(Object.keys(parsed.error).sort()).toEqual(['code', 'message']);
  expect(parsed.error.code).toBe(code);
  expect(parsed.error.message.length).toBeGreaterThan(0);
  expect(response.body).not.toContain('CANARY');
  for (const value of extra) expect(response.body).not.toContain(value);
}

describe('handleIngress', () => {
  it('accepts a verified webhook: 200 once the envelope is queued, sealed to the agent, with the original request inside', async () => {
    // Prepare
    const body = JSON.stringify({ ref: 'refs/heads/main', note: BODY_CANARY });
    const deliveryId = randomUUID();
    const request = await githubRequest(body, deliveryId, {
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      host: 'hooks.example.com',
      te: 'trailers',
      trailer: 'expires',
      'transfer-encoding': 'chunked',
      upgrade: 'h2c',
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
      'x-forwarded-for': '192.0.2.1',
    });
    const receivedAt = f.clock.now();

    // Act
    const response = await handleIngress(f.ingressDeps(), route('github'), request);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ 'content-type': 'application/json' });
    const answer = JSON.parse(response.body) as { status: string; envelopeId: string; deliveryId: string };
    expect(answer).toEqual({ status: 'accepted', envelopeId: expect.any(String), deliveryId });
    const { envelopeId } = answer;
    const sealed = f.queue.sealedOf(envelopeId)!;
    expect(await f.queue.find(envelopeId)).toEqual({
      envelopeId,
      agentId: 'laptop',
      sourceId: 'github',
      deliveryId,
      provider: 'github',
      receivedAt,
      sizeBytes: sealed.byteLength,
      attempts: 0,
    });
    const opened = openEnvelope({
      recipientPrivateKey: f.keysOf('laptop').privateKey,
      envelope: sealed,
      expectedAgentId: 'laptop',
    });
    expect(opened.binding).toEqual({
      agentId: 'laptop',
      sourceId: 'github',
      deliveryId,
      receivedAt,
      envelopeId,
    });
    expect(opened.request.method).toBe('POST');
    expect(opened.request.path).toBe('/v1/hooks/laptop/github');
    expect(opened.request.query).toBe('');
    expect(opened.request.headers).toEqual({
      'content-type': 'application/json',
      'x-github-delivery': deliveryId,
      'x-github-event': 'push',
      'x-hub-signature-256': request.headers['x-hub-signature-256'],
      'x-forwarded-for': '192.0.2.1',
    });
    expect(Buffer.from(opened.request.body).equals(Buffer.from(body))).toBe(true);
    expect(await f.deliveryLog.list({ limit: 10 })).toEqual([
      {
        envelopeId,
        agentId: 'laptop',
        sourceId: 'github',
        provider: 'github',
        deliveryId,
        receivedAt,
        sizeBytes: Buffer.byteLength(body),
        status: 'queued',
        attempts: 0,
        updatedAt: receivedAt,
      },
    ]);
    expect(stored()).toEqual({ envelopes: 1, log: 1, claims: 1 });
    const everything = f.storedBytes();
    expect(everything.includes(BODY_CANARY)).toBe(false);
    expect(everything.includes(GITHUB_SECRET)).toBe(false);
    expect(f.logger.events()).toContain('webhook_accepted');
  });

  it('seals with the setup a reserve prepared after the webhook before, and the agent opens each', async () => {
    // Prepare
    const tasks: (() => void)[] = [];
    const senderSetups = new SenderSetupReserve({ schedule: (task) => tasks.push(task) });
    const deps = f.ingressDeps({ senderSetups });
    const envelopeIds: string[] = [];
    const preparedBefore: number[] = [];

    // Act
    for (let i = 0; i < 3; i++) {
      preparedBefore.push(senderSetups.size);
      const response = await handleIngress(
        deps,
        route('github'),
        await githubRequest(`{"n":${i}}`, randomUUID()),
      );
      envelopeIds.push((JSON.parse(response.body) as { envelopeId: string }).envelopeId);
      for (const task of tasks.splice(0)) task();
    }

    // Assess: the first set up on the spot, the next two took the prepared one.
    expect(preparedBefore).toEqual([0, 1, 1]);
    envelopeIds.forEach((envelopeId, i) => {
      const opened = openEnvelope({
        recipientPrivateKey: f.keysOf('laptop').privateKey,
        envelope: f.queue.sealedOf(envelopeId)!,
        expectedAgentId: 'laptop',
      });
      expect(Buffer.from(opened.request.body).toString()).toBe(`{"n":${i}}`);
    });
  });

  it('carries a body that is not UTF-8 byte for byte, named by the SHA-256 of its bytes when the provider sends no id', async () => {
    // Prepare: Meta sends no delivery id.
    const body = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]), Buffer.from(BODY_CANARY)]);
    const expectedId = `sha256:${createHash('sha256').update(body).digest('hex')}`;

    // Act
    const response = await handleIngress(f.ingressDeps(), route('meta'), metaRequest(body));

    // Assess
    const answer = JSON.parse(response.body) as { envelopeId: string; deliveryId: string };
    expect(response.status).toBe(200);
    expect(answer.deliveryId).toBe(expectedId);
    const opened = openEnvelope({
      recipientPrivateKey: f.keysOf('laptop').privateKey,
      envelope: f.queue.sealedOf(answer.envelopeId)!,
      expectedAgentId: 'laptop',
    });
    expect(opened.binding.deliveryId).toBe(expectedId);
    expect(Buffer.from(opened.request.body).equals(body)).toBe(true);
    expect(f.storedBytes().includes(BODY_CANARY)).toBe(false);
  });

  it('answers the same id-less body again as a duplicate, and a body one byte apart as a new delivery', async () => {
    // Prepare
    const body = Buffer.from('{"object":"page","entry":[{"id":"1"}]}');
    const changed = Buffer.from('{"object":"page","entry":[{"id":"2"}]}');
    const deps = f.ingressDeps();
    await handleIngress(deps, route('meta'), metaRequest(body));

    // Act
    const again = await handleIngress(deps, route('meta'), metaRequest(body));
    const other = await handleIngress(deps, route('meta'), metaRequest(changed));

    // Assess
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({
      status: 'duplicate',
      deliveryId: `sha256:${createHash('sha256').update(body).digest('hex')}`,
    });
    expect(JSON.parse(other.body)).toMatchObject({
      status: 'accepted',
      deliveryId: `sha256:${createHash('sha256').update(changed).digest('hex')}`,
    });
    expect(stored()).toEqual({ envelopes: 2, log: 2, claims: 2 });
  });

  it('answers a retried delivery id 200 "duplicate" and queues it only once', async () => {
    // Prepare
    const deliveryId = randomUUID();
    const deps = f.ingressDeps();
    const first = await handleIngress(deps, route('github'), await githubRequest('{"n":1}', deliveryId));
    f.clock.advance(60_000);

    // Act
    const retry = await handleIngress(deps, route('github'), await githubRequest('{"n":1}', deliveryId));

    // Assess
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(JSON.parse(retry.body)).toEqual({ status: 'duplicate', deliveryId });
    expect(stored()).toEqual({ envelopes: 1, log: 1, claims: 1 });
    expect(f.logger.events()).toContain('webhook_duplicate');
  });

  it('remembers a delivery id for 72 hours, then accepts it as new', async () => {
    // Prepare
    const deliveryId = randomUUID();
    const deps = f.ingressDeps();
    await handleIngress(deps, route('github'), await githubRequest('{"n":1}', deliveryId));
    f.clock.advance(RETENTION_MS - 1);
    const within = await handleIngress(deps, route('github'), await githubRequest('{"n":1}', deliveryId));
    f.clock.advance(1);

    // Act
    const after = await handleIngress(deps, route('github'), await githubRequest('{"n":1}', deliveryId));

    // Assess
    expect(JSON.parse(within.body).status).toBe('duplicate');
    expect(JSON.parse(after.body).status).toBe('accepted');
  });

  it('keeps delivery ids apart per agent and source: the same id at another source is a new delivery', async () => {
    // Prepare
    await f.addSource('laptop', 'github-two', { provider: 'github', secrets: [GITHUB_SECRET] });
    const deliveryId = randomUUID();
    const deps = f.ingressDeps();
    await handleIngress(deps, route('github'), await githubRequest('{"n":1}', deliveryId));

    // Act
    const response = await handleIngress(
      deps,
      route('github-two'),
      await githubRequest('{"n":1}', deliveryId),
    );

    // Assess
    expect(JSON.parse(response.body)).toMatchObject({ status: 'accepted', deliveryId });
    expect(stored().envelopes).toBe(2);
  });

  describe('refuses a request that does not verify with 401, storing and claiming nothing', () => {
    it('signed with another secret', async () => {
      // Prepare
      const request = await githubRequest(`{"note":"${BODY_CANARY}"}`, randomUUID(), {}, 'another-secret');

      // Act
      const response = await handleIngress(f.ingressDeps(), route('github'), request);

      // Assess
      expectCleanError(response, 401, 'verification_failed');
      expect(stored()).toEqual(NOTHING);
    });

    it('with a body changed after signing, and without the MAC it computed in the answer', async () => {
      // Prepare
      const signed = await githubRequest('{"amount":1}');
      const tampered = { ...signed, body: Buffer.from(`{"amount":9,"note":"${BODY_CANARY}"}`) };
      const computed = createHmac('sha256', GITHUB_SECRET).update(tampered.body).digest('hex');

      // Act
      const response = await handleIngress(f.ingressDeps(), route('github'), tampered);

      // Assess
      expectCleanError(response, 401, 'verification_failed', [computed, GITHUB_SECRET]);
      expect(stored()).toEqual(NOTHING);
    });

    it('without a signature', async () => {
      // Prepare
      const request = signedRequest({
        url: `${BASE}/laptop/github`,
        headers: { 'x-github-delivery': randomUUID() },
        body: '{}',
      });

      // Act
      const response = await handleIngress(f.ingressDeps(), route('github'), request);

      // Assess
      expectCleanError(response, 401, 'verification_failed');
      expect(stored()).toEqual(NOTHING);
    });

    it.each([
      ['older', -301],
      ['newer', 301],
    ])('with a timestamp %s than the provider tolerance allows', async (_name, offsetSeconds) => {
      // Prepare
      const request = await slackRequest(
        '{"event_id":"Ev06A2BRQ7UF","type":"event_callback"}',
        nowSeconds() + offsetSeconds,
      );

      // Act
      const response = await handleIngress(f.ingressDeps(), route('slack'), request);

      // Assess
      expectCleanError(response, 401, 'verification_failed', [SLACK_SECRET]);
      expect(stored()).toEqual(NOTHING);
      expect(f.logger.lines.at(-1)).toMatchObject({
        level: 'warn',
        event: 'webhook_rejected',
        fields: { agentId: 'laptop', sourceId: 'slack', provider: 'slack' },
      });
    });

    it('and then accepts the genuine delivery with the same id', async () => {
      // Prepare
      const deliveryId = randomUUID();
      const deps = f.ingressDeps();
      await handleIngress(deps, route('github'), await githubRequest('{}', deliveryId, {}, 'forged'));

      // Act
      const genuine = await handleIngress(deps, route('github'), await githubRequest('{}', deliveryId));

      // Assess
      expect(JSON.parse(genuine.body)).toMatchObject({ status: 'accepted', deliveryId });
    });
  });

  describe('answers 404 for an agent or source it does not serve, storing nothing', () => {
    it.each([
      ['an unknown agent', 'desktop', 'github'],
      ['an unknown source', 'laptop', 'gitlab'],
      ['an agent id that is not one', 'LAPTOP', 'github'],
      ['a path-like agent id', '..', 'github'],
      ['a source id with a topic wildcard', 'laptop', 'git+hub'],
    ])('%s', async (_name, agentId, sourceId) => {
      // Prepare
      const request = await githubRequest('{}');

      // Act
      const response = await handleIngress(f.ingressDeps(), { agentId, sourceId }, request);

      // Assess
      expectCleanError(response, 404, 'unknown_source');
      expect(stored()).toEqual(NOTHING);
    });

    it('a revoked agent', async () => {
      // Prepare
      await f.addAgent('old-laptop', 'revoked');
      await f.addSource('old-laptop', 'github', { provider: 'github', secrets: [GITHUB_SECRET] });

      // Act
      const response = await handleIngress(
        f.ingressDeps(),
        route('github', 'old-laptop'),
        await githubRequest('{}'),
      );

      // Assess
      expectCleanError(response, 404, 'unknown_source');
      expect(stored()).toEqual(NOTHING);
    });

    it('an agent that has not registered its sealing key yet', async () => {
      // Prepare
      await f.agents.put({ agentId: 'new-laptop', status: 'active', createdAt: f.clock.now() });
      await f.addSource('new-laptop', 'github', { provider: 'github', secrets: [GITHUB_SECRET] });

      // Act
      const response = await handleIngress(
        f.ingressDeps(),
        route('github', 'new-laptop'),
        await githubRequest('{}'),
      );

      // Assess
      expectCleanError(response, 404, 'unknown_source');
      expect(stored()).toEqual(NOTHING);
    });
  });

  describe('answers handshakes at once and never queues them', () => {
    it('echoes a signed Slack url_verification challenge', async () => {
      // Prepare
      const request = await slackRequest(
        JSON.stringify({
          token: 'legacy',
          challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
          type: 'url_verification',
        }),
      );

      // Act
      const response = await handleIngress(f.ingressDeps(), route('slack'), request);

      // Assess
      expect(response).toEqual({
        status: 200,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' },
        body: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      });
      expect(stored()).toEqual(NOTHING);
      expect(f.logger.events()).toContain('handshake_answered');
    });

    it('refuses an unsigned url_verification without echoing its challenge', async () => {
      // Prepare
      const request = signedRequest({
        url: `${BASE}/laptop/slack`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ challenge: 'echo-me-if-you-can', type: 'url_verification' }),
      });

      // Act
      const response = await handleIngress(f.ingressDeps(), route('slack'), request);

      // Assess
      expectCleanError(response, 401, 'verification_failed', ['echo-me-if-you-can']);
      expect(stored()).toEqual(NOTHING);
    });

    it("answers Meta's subscription GET with its challenge when the verify token matches", async () => {
      // Prepare
      const query = new URLSearchParams({
        'hub.mode': 'subscribe',
        'hub.verify_token': META_VERIFY_TOKEN,
        'hub.challenge': '1158201444',
      });
      const request = signedRequest({
        method: 'GET',
        url: `${BASE}/laptop/meta?${query}`,
        headers: {},
        body: '',
      });

      // Act
      const response = await handleIngress(f.ingressDeps(), route('meta'), request);

      // Assess
      expect(response.status).toBe(200);
      expect(response.body).toBe('1158201444');
      expect(stored()).toEqual(NOTHING);
    });

    it("refuses Meta's subscription GET with 403 when the verify token differs", async () => {
      // Prepare
      const query = new URLSearchParams({
        'hub.mode': 'subscribe',
        'hub.verify_token': 'guessed',
        'hub.challenge': '1158201444',
      });
      const request = signedRequest({
        method: 'GET',
        url: `${BASE}/laptop/meta?${query}`,
        headers: {},
        body: '',
      });

      // Act
      const response = await handleIngress(f.ingressDeps(), route('meta'), request);

      // Assess
      expect(response.status).toBe(403);
      expect(response.body).not.toContain('1158201444');
      expect(response.body).not.toContain(META_VERIFY_TOKEN);
      expect(stored()).toEqual(NOTHING);
    });
  });

  describe('refuses other shapes with a clear error, storing nothing', () => {
    it('a GET to a source without a GET handshake: 405 naming the allowed methods', async () => {
      // Prepare
      const request = signedRequest({ method: 'GET', url: `${BASE}/laptop/github`, headers: {}, body: '' });

      // Act
      const response = await handleIngress(f.ingressDeps(), route('github'), request);

      // Assess
      expectCleanError(response, 405, 'method_not_allowed');
      expect(response.headers.allow).toBe('POST, GET');
      expect(stored()).toEqual(NOTHING);
    });

    it.each(['PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'])(
      'a %s: 405 naming the allowed methods',
      async (method) => {
        // Prepare
        const request = { ...(await githubRequest('{}')), method };

        // Act
        const response = await handleIngress(f.ingressDeps(), route('github'), request);

        // Assess
        expectCleanError(response, 405, 'method_not_allowed');
        expect(response.headers.allow).toBe('POST, GET');
        expect(stored()).toEqual(NOTHING);
      },
    );

    it('a body one byte over 10 MB: 413, while exactly 10 MB is accepted', async () => {
      // Prepare
      const limit = 'x'.repeat(MAX_WEBHOOK_BODY_BYTES);
      const atLimit = await githubRequest(limit);
      const over = { ...atLimit, body: Buffer.concat([Buffer.from(limit), Buffer.from('x')]) };
      const deps = f.ingressDeps();

      // Act
      const refused = await handleIngress(deps, route('github'), over);
      const refusedStore = stored();
      const accepted = await handleIngress(deps, route('github'), atLimit);

      // Assess
      expectCleanError(refused, 413, 'payload_too_large');
      expect(refusedStore).toEqual(NOTHING);
      expect(accepted.status).toBe(200);
    });
  });

  describe('answers 503 when a dependency fails, so the provider retries', () => {
    it('a failed enqueue releases the delivery id: the retry is accepted', async () => {
      // Prepare: a queue that fails on purpose, with a message that must not be logged.
      const failing: EnvelopeQueue = {
        enqueue: async () => {
          throw Object.assign(new Error(`disk I/O error near ${BODY_CANARY}`), { name: 'SqliteIoError' });
        },
      };
      const deliveryId = randomUUID();
      const request = await githubRequest(`{"note":"${BODY_CANARY}"}`, deliveryId);

      // Act
      const failed = await handleIngress(f.ingressDeps({ queue: failing }), route('github'), request);
      const afterFailure = stored();
      const retried = await handleIngress(f.ingressDeps(), route('github'), request);

      // Assess
      expectCleanError(failed, 503, 'unavailable');
      expect(afterFailure).toEqual(NOTHING);
      expect(f.logger.lines.find((line) => line.event === 'enqueue_failed')).toMatchObject({
        level: 'error',
        fields: { deliveryId, error: 'SqliteIoError' },
      });
      expect(JSON.parse(retried.body)).toMatchObject({ status: 'accepted', deliveryId });
      expect(stored()).toEqual({ envelopes: 1, log: 1, claims: 1 });
    });

    it('a failed enqueue answers 503 even when releasing the claim fails too', async () => {
      // Prepare
      const failing: EnvelopeQueue = {
        enqueue: async () => {
          throw new Error('queue down');
        },
      };
      const stuck: DedupeStore = {
        claim: (key, expiresAt) => f.dedupe.claim(key, expiresAt),
        release: async () => {
          throw new Error('table down');
        },
      };

      // Act
      const response = await handleIngress(
        f.ingressDeps({ queue: failing, dedupe: stuck }),
        route('github'),
        await githubRequest('{}'),
      );

      // Assess
      expectCleanError(response, 503, 'unavailable');
      expect(stored().envelopes).toBe(0);
    });

    it('a failed dedupe claim queues nothing', async () => {
      // Prepare
      const failing: DedupeStore = {
        claim: async () => {
          throw Object.assign(new Error('ProvisionedThroughputExceeded'), { name: 'ThrottlingError' });
        },
        release: async () => undefined,
      };

      // Act
      const response = await handleIngress(
        f.ingressDeps({ dedupe: failing }),
        route('github'),
        await githubRequest(`{"note":"${BODY_CANARY}"}`),
      );

      // Assess
      expectCleanError(response, 503, 'unavailable');
      expect(stored()).toEqual(NOTHING);
      expect(f.logger.lines.at(-1)).toMatchObject({
        event: 'dedupe_failed',
        fields: { error: 'ThrottlingError' },
      });
    });

    it('a source whose secrets no longer decrypt (the master key was replaced) stores nothing', async () => {
      // Prepare: the real directory, with another master key than the one the secrets were sealed under.
      const dir = mkdtempSync(join(tmpdir(), 'cp-other-key-'));
      const directory = createSourceDirectory({
        agents: f.agents,
        sources: f.sources,
        custody: FileKeyCustody.openOrCreate(join(dir, 'master.key')),
        clock: f.clock,
      });

      try {
        // Act
        const response = await handleIngress(
          f.ingressDeps({ sources: directory }),
          route('github'),
          await githubRequest('{}'),
        );

        // Assess
        expectCleanError(response, 503, 'unavailable', [GITHUB_SECRET]);
        expect(stored()).toEqual(NOTHING);
        expect(f.logger.lines.at(-1)).toMatchObject({
          event: 'source_lookup_failed',
          fields: { error: 'decrypt_failed' },
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('still answers 200 when only the delivery-log write fails: the envelope is stored', async () => {
    // Prepare
    const failingLog: DeliveryLog = {
      record: async () => {
        throw new Error('log table down');
      },
    };

    // Act
    const response = await handleIngress(
      f.ingressDeps({ deliveryLog: failingLog }),
      route('github'),
      await githubRequest('{}'),
    );

    // Assess
    const { envelopeId } = JSON.parse(response.body) as { envelopeId: string };
    expect(response.status).toBe(200);
    expect(await f.queue.find(envelopeId)).toBeDefined();
    expect(stored()).toEqual({ envelopes: 1, log: 0, claims: 1 });
    expect(f.logger.lines.find((line) => line.event === 'delivery_log_failed')).toMatchObject({
      level: 'error',
      fields: { envelopeId, error: 'Error' },
    });
  });
});
