import { EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { topicsFor } from '../../../lambdas/core/delivery/topics.ts';
import { httpApiEvent, lifecycleEvent } from '../../support/awsEvents.ts';
import { type AwsHarness, startAwsHarness } from '../../support/awsHarness.ts';
import { awsScenario, type LambdaHandler } from '../../support/awsScenario.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

const SECRET = 'whsec_management_CANARY';
const context = {} as never;

describe('management handler', () => {
  let aws: AwsHarness;
  let management: LambdaHandler;
  let scenario: Awaited<ReturnType<typeof awsScenario>>;
  const logLines: string[] = [];
  const ssl = new OpenSslWorkspace();

  beforeAll(async () => {
    aws = await startAwsHarness();
    vi.spyOn(process.stdout, 'write').mockImplementation((line) => {
      logLines.push(String(line));
      return true;
    });
    scenario = await awsScenario(aws, ssl);
    management = (await import('../../../lambdas/handlers/management.ts')).handler as LambdaHandler;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    ssl.remove();
    await aws.close();
  });

  it('stores a source secret only as KMS ciphertext bound to its ids, and never returns it', async () => {
    // Prepare
    await scenario.token('laptop');

    // Act
    const put = await scenario.api('PUT', '/v1/agents/laptop/sources/stripe', {
      provider: 'stripe',
      secrets: [SECRET],
    });
    const read = await scenario.api('GET', '/v1/agents/laptop/sources/stripe');

    // Assess
    expect(put.statusCode).toBe(200);
    const encrypt = aws.mocks.kms.commandCalls(EncryptCommand).at(-1)?.args[0].input;
    expect(encrypt?.KeyId).toBe(aws.env.DATA_KEY_ARN);
    expect(encrypt?.EncryptionContext).toEqual({
      purpose: 'source-secrets',
      agentId: 'laptop',
      sourceId: 'stripe',
    });
    expect(JSON.stringify(read.body)).not.toContain(SECRET);
    expect(logLines.join('')).not.toContain(SECRET);
    expect(logLines.some((line) => line.includes('arn:aws:iam::111122223333:user/operator'))).toBe(true);
  });

  it('revokes an agent: its certificates are deactivated in IoT Core and its connection is cut', async () => {
    // Prepare
    const agent = await scenario.registerAgent('revoked-1');
    aws.iotData.connect('revoked-1', topicsFor('revoked-1').deliveries, () => undefined);

    // Act
    const response = await scenario.api('POST', '/v1/agents/revoked-1/revoke');

    // Assess
    expect(response.statusCode).toBe(200);
    expect(aws.iot.certificates.get(agent.certificateId)?.status).toBe('INACTIVE');
    expect(aws.iotData.disconnected).toContain('revoked-1');
    // A later connect with the same certificate is refused by the presence handler too.
    const presence = (await import('../../../lambdas/handlers/presence.ts')).handler as LambdaHandler;
    const outcome = await presence(
      lifecycleEvent({
        clientId: 'revoked-1',
        eventType: 'connected',
        timestamp: Date.now() + 60_000,
        sessionIdentifier: 'again',
        principalIdentifier: agent.certificateId,
      }),
      context,
    );
    expect(outcome).toBe('refused');
  });

  it.each([
    ['an unknown route', 'GET', '/v1/nothing', undefined, undefined, 404],
    ['a method the route lacks', 'DELETE', '/v1/agents', undefined, undefined, 405],
    ['a body that is not JSON typed', 'POST', '/v1/tokens', '{"agentId":"x-1"}', 'text/plain', 415],
    ['invalid JSON', 'POST', '/v1/tokens', '{"agentId":', 'application/json', 400],
    ['an invalid id', 'GET', '/v1/agents/NOT_AN_ID', undefined, undefined, 400],
  ])('answers %s with a clear error', async (_name, method, rawPath, body, type, status) => {
    const response = await management(
      httpApiEvent({
        method,
        rawPath,
        routeKey: 'ANY /v1/{proxy+}',
        ...(body ? { body, headers: { 'content-type': type as string } } : {}),
      }),
      context,
    );
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body).error.code).toEqual(expect.any(String));
  });
});
