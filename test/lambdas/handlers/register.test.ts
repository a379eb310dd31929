import { X509Certificate } from 'node:crypto';
import { RegisterCertificateCommand } from '@aws-sdk/client-iot';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AMAZON_ROOT_CA_1_PEM } from '../../../lambdas/adapters/aws/amazonRootCa1.ts';
import { generateSealingKeyPair, sealingKeyToBase64url } from '../../../lambdas/core/envelope/index.ts';
import { httpApiEvent } from '../../support/awsEvents.ts';
import {
  type AwsHarness,
  IOT_ENDPOINT,
  POLICY_NAME,
  PUBLIC_BASE_URL,
  startAwsHarness,
} from '../../support/awsHarness.ts';
import { awsScenario, type LambdaHandler } from '../../support/awsScenario.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

const context = {} as never;

describe('register handler', () => {
  let aws: AwsHarness;
  let register: LambdaHandler;
  let scenario: Awaited<ReturnType<typeof awsScenario>>;
  const ssl = new OpenSslWorkspace();

  beforeAll(async () => {
    aws = await startAwsHarness();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    scenario = await awsScenario(aws, ssl);
    await scenario.bootstrapCa();
    register = (await import('../../../lambdas/handlers/register.ts')).handler as LambdaHandler;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    ssl.remove();
    await aws.close();
  });

  const registration = (
    body: unknown,
    headers: Record<string, string> = { 'content-type': 'application/json' },
  ) =>
    register(
      httpApiEvent({
        method: 'POST',
        rawPath: '/v1/register',
        headers,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
      context,
    );

  it('returns a 24 h certificate registered in IoT Core and the ATS endpoint pinned to Amazon Root CA 1', async () => {
    // Prepare
    const token = await scenario.token('laptop');
    const sealing = generateSealingKeyPair();

    // Act
    const response = await registration({
      token,
      csrPem: ssl.csr('laptop'),
      sealingPublicKey: sealingKeyToBase64url(sealing.publicKey),
    });

    // Assess
    expect(response.statusCode).toBe(201);
    const body = JSON.parse(response.body);
    const certificate = new X509Certificate(body.certificatePem);
    expect(Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)).toBeLessThanOrEqual(
      24 * 3_600_000 + 5 * 60_000,
    );
    expect(body.tunnel).toEqual({
      host: IOT_ENDPOINT,
      port: 8883,
      serverName: IOT_ENDPOINT,
      serverCaPem: AMAZON_ROOT_CA_1_PEM,
    });
    expect(body.webhookBaseUrl).toBe(`${PUBLIC_BASE_URL}/v1/hooks`);
    const input = aws.mocks.iot.commandCalls(RegisterCertificateCommand).at(-1)?.args[0].input;
    expect(input).toEqual({
      certificatePem: body.certificatePem,
      caCertificatePem: body.caChainPem,
      status: 'ACTIVE',
    });
    expect(aws.iot.callNames().slice(-4)).toEqual([
      'RegisterCertificate',
      'CreateThing',
      'AttachPolicy',
      'AttachThingPrincipal',
    ]);
    expect(aws.iot.calls.at(-1)?.input).toMatchObject({
      thingName: 'laptop',
      thingPrincipalType: 'EXCLUSIVE_THING',
    });
    expect(aws.iot.calls.at(-2)?.input).toMatchObject({ policyName: POLICY_NAME });
  });

  it('gives the token back when IoT Core is down, so the agent can retry with it', async () => {
    // Prepare
    const token = await scenario.token('retry-1');
    const body = {
      token,
      csrPem: ssl.csr('retry-1'),
      sealingPublicKey: sealingKeyToBase64url(generateSealingKeyPair().publicKey),
    };
    const registerCertificate = aws.iot.registerCertificate.bind(aws.iot);
    aws.iot.registerCertificate = () => {
      aws.iot.registerCertificate = registerCertificate;
      throw Object.assign(new Error('down'), { name: 'ServiceUnavailableException' });
    };

    // Act
    const failed = await registration(body);
    const retried = await registration(body);

    // Assess
    expect(failed.statusCode).toBe(503);
    expect(JSON.parse(failed.body).error.code).toBe('unavailable');
    expect(retried.statusCode).toBe(201);
  });

  it('refuses a token twice', async () => {
    // Prepare
    const token = await scenario.token('once-1');
    const body = () => ({
      token,
      csrPem: ssl.csr(`once-${Math.random()}`),
      sealingPublicKey: sealingKeyToBase64url(generateSealingKeyPair().publicKey),
    });
    await registration(body());

    // Act
    const second = await registration(body());

    // Assess
    expect(second.statusCode).toBe(401);
    expect(JSON.parse(second.body).error.code).toBe('registration_token_invalid');
  });

  it.each([
    ['another content type', '{"token":"x"}', { 'content-type': 'text/plain' }, 415],
    ['invalid JSON', '{"token":', { 'content-type': 'application/json' }, 400],
    ['an empty body', '', { 'content-type': 'application/json' }, 400],
    [
      'a body over 64 KiB',
      JSON.stringify({ pad: 'x'.repeat(70_000) }),
      { 'content-type': 'application/json' },
      413,
    ],
    [
      'unknown fields',
      JSON.stringify({ token: 'cpreg_x', agentId: 'admin' }),
      { 'content-type': 'application/json' },
      400,
    ],
  ])('answers %s with a clear error', async (_name, body, headers, status) => {
    const response = await registration(body, headers);
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body).error.code).toEqual(expect.any(String));
  });

  it('allows POST only', async () => {
    const response = await register(httpApiEvent({ method: 'GET', rawPath: '/v1/register' }), context);
    expect(response.statusCode).toBe(405);
  });
});
