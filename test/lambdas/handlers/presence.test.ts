import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoCertificateRepository } from '../../../lambdas/adapters/aws/DynamoCertificateRepository.ts';
import { DynamoPresenceStore } from '../../../lambdas/adapters/aws/DynamoPresenceStore.ts';
import { topicsFor } from '../../../lambdas/core/delivery/topics.ts';
import { iotRuleEvent, type LifecycleInput, lifecycleEvent } from '../../support/awsEvents.ts';
import { type AwsHarness, startAwsHarness } from '../../support/awsHarness.ts';
import { awsScenario, type LambdaHandler, type RegisteredAgent } from '../../support/awsScenario.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

const context = {} as never;

describe('presence handler', () => {
  let aws: AwsHarness;
  let presence: LambdaHandler;
  let store: DynamoPresenceStore;
  let certificates: DynamoCertificateRepository;
  let scenario: Awaited<ReturnType<typeof awsScenario>>;
  const ssl = new OpenSslWorkspace();
  let clock = Date.now();
  /** The next lifecycle timestamp, ten seconds after the previous one. */
  const later = () => {
    clock += 10_000;
    return clock;
  };

  beforeAll(async () => {
    aws = await startAwsHarness();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    scenario = await awsScenario(aws, ssl);
    presence = (await import('../../../lambdas/handlers/presence.ts')).handler as LambdaHandler;
    store = new DynamoPresenceStore(aws.dynamo.client, aws.env.PRESENCE_TABLE);
    certificates = new DynamoCertificateRepository(aws.dynamo.client, aws.env.CERTIFICATES_TABLE);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    ssl.remove();
    await aws.close();
  });

  const event = (
    agent: RegisteredAgent,
    eventType: LifecycleInput['eventType'],
    timestamp: number,
    session: string,
    extra: Partial<LifecycleInput> = {},
  ) =>
    lifecycleEvent({
      clientId: agent.agentId,
      eventType,
      timestamp,
      sessionIdentifier: session,
      principalIdentifier: agent.certificateId,
      ...extra,
    });

  it('ends online or offline by the newest event, however late or duplicated the others arrive', async () => {
    // Prepare
    const agent = await scenario.registerAgent('order-1');
    const t = later();
    const history = [
      event(agent, 'connected', t, 'a'),
      event(agent, 'disconnected', t + 100, 'a'),
      event(agent, 'connected', t + 200, 'b'),
    ];
    const arrival = [history[2], history[0], history[2], history[1], history[0]];

    // Act
    const outcomes = [];
    for (const e of arrival) outcomes.push(await presence(e, context));

    // Assess
    expect(outcomes).toEqual(['applied', 'stale', 'stale', 'stale', 'stale']);
    expect(await store.get('order-1')).toEqual({ agentId: 'order-1', connected: true, lastSeen: t + 200 });
  });

  it('keeps the agent online when the connection it replaced reports DUPLICATE_CLIENTID', async () => {
    // Prepare
    const agent = await scenario.registerAgent('takeover-1');
    const t = later();
    await presence(event(agent, 'connected', t, 'old'), context);
    await presence(event(agent, 'connected', t + 50, 'new'), context);

    // Act
    const outcome = await presence(
      event(agent, 'disconnected', t + 60, 'old', { disconnectReason: 'DUPLICATE_CLIENTID' }),
      context,
    );

    // Assess
    expect(outcome).toBe('ignored');
    expect(await store.isOnline('takeover-1')).toBe(true);
  });

  it('makes waiting envelopes visible at once when the agent connects', async () => {
    // Prepare: an envelope held for the offline agent.
    const agent = await scenario.registerAgent('flush-1');
    const secret = 'flush-secret';
    await scenario.addSource('flush-1', 'github', { provider: 'github', secrets: [secret] });
    const { sign } = await import('@octokit/webhooks-methods');
    const ingress = (await import('../../../lambdas/handlers/ingress.ts')).handler as LambdaHandler;
    const dispatcher = (await import('../../../lambdas/handlers/dispatcher.ts')).handler as LambdaHandler;
    const { webhookEvent } = await import('../../support/awsEvents.ts');
    await ingress(
      webhookEvent('flush-1', 'github', '{}', {
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': await sign(secret, '{}'),
      }),
      context,
    );
    const records = aws.sqs.receive(10);
    await dispatcher({ Records: records }, context);
    const [record] = records;
    const hiddenUntil = aws.sqs.visibleAt(record?.messageId ?? '') ?? 0;

    // Act
    const outcome = await presence(event(agent, 'connected', later(), 's'), context);

    // Assess
    expect(hiddenUntil).toBeGreaterThan(Date.now());
    expect(outcome).toBe('applied');
    expect(aws.sqs.visibleAt(record?.messageId ?? '')).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a certificate it did not issue: cut off, not marked online', async () => {
    // Prepare
    const agent = await scenario.registerAgent('foreign-1');
    aws.iotData.connect('foreign-1', topicsFor('foreign-1').deliveries, () => undefined);

    // Act
    const outcome = await presence(
      event(agent, 'connected', later(), 'x', { principalIdentifier: 'f'.repeat(64) }),
      context,
    );

    // Assess
    expect(outcome).toBe('refused');
    expect(aws.iotData.disconnected).toContain('foreign-1');
    expect(await store.isOnline('foreign-1')).toBe(false);
  });

  it('deactivates the older certificate in IoT Core once the agent connects with its renewed one', async () => {
    // Prepare: renew over the tunnel, then connect with the new certificate.
    const agent = await scenario.registerAgent('renew-1');
    await presence(event(agent, 'connected', later(), 'first'), context);
    const renew = (await import('../../../lambdas/handlers/renew.ts')).handler as LambdaHandler;
    await renew(
      iotRuleEvent(
        'renew-1',
        topicsFor('renew-1').csr,
        JSON.stringify({ requestId: 'r1', csrPem: ssl.csr('renew-1-next') }),
      ),
      context,
    );
    const [newest] = await certificates.listByAgent('renew-1');

    // Act
    const outcome = await presence(
      event(agent, 'connected', later(), 'second', {
        principalIdentifier: newest?.iot?.certificateId ?? '',
      }),
      context,
    );

    // Assess
    expect(outcome).toBe('applied');
    const records = await certificates.listByAgent('renew-1');
    expect(records.map((r) => [r.status, r.iot?.state])).toEqual([
      ['active', 'ACTIVE'],
      ['superseded', 'INACTIVE'],
    ]);
    expect(aws.iot.certificates.get(agent.certificateId)?.status).toBe('INACTIVE');
  });

  it('does not cut off the live connection for a stale connect of a superseded certificate', async () => {
    // Prepare: renew-1's first certificate is superseded; its old connect event arrives very late.
    const [, old] = await certificates.listByAgent('renew-1');
    const disconnectedBefore = aws.iotData.disconnected.length;

    // Act
    const outcome = await presence(
      lifecycleEvent({
        clientId: 'renew-1',
        eventType: 'connected',
        timestamp: clock - 60_000,
        sessionIdentifier: 'first',
        principalIdentifier: old?.iot?.certificateId ?? '',
      }),
      context,
    );

    // Assess
    expect(outcome).toBe('stale');
    expect(aws.iotData.disconnected.length).toBe(disconnectedBefore);
    expect(await store.isOnline('renew-1')).toBe(true);
  });

  it.each([
    [
      'a client that is not an agent',
      {
        ...lifecycleEvent({
          clientId: 'Some Other Device',
          eventType: 'connected',
          timestamp: 1,
          sessionIdentifier: 's',
          principalIdentifier: 'p',
        }),
      },
    ],
    ['a malformed event', { clientId: 'laptop', eventType: 'subscribed' }],
  ])('ignores %s', async (_name, input) => {
    expect(await presence(input, context)).toBe('ignored');
  });
});
