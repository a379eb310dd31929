import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { topicsFor } from '../../../lambdas/core/delivery/topics.ts';
import { iotRuleEvent } from '../../support/awsEvents.ts';
import { type AwsHarness, startAwsHarness } from '../../support/awsHarness.ts';
import { awsScenario, type LambdaHandler, type RegisteredAgent } from '../../support/awsScenario.ts';
import { certificateIdOf } from '../../support/FakeIotRegistry.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

const context = {} as never;

describe('renew handler', () => {
  let aws: AwsHarness;
  let renew: LambdaHandler;
  let agent: RegisteredAgent;
  const ssl = new OpenSslWorkspace();

  beforeAll(async () => {
    aws = await startAwsHarness();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const scenario = await awsScenario(aws, ssl);
    agent = await scenario.registerAgent('laptop');
    renew = (await import('../../../lambdas/handlers/renew.ts')).handler as LambdaHandler;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    ssl.remove();
    await aws.close();
  });

  const replies = () =>
    aws.iotData.on(topicsFor('laptop').issued).map((m) => JSON.parse(m.payload.toString()));

  it('issues the next certificate for the connection, registers it in IoT Core and publishes it to the agent', async () => {
    // Act
    const outcome = await renew(
      iotRuleEvent(
        'laptop',
        topicsFor('laptop').csr,
        JSON.stringify({ requestId: 'r-1', csrPem: ssl.csr('next') }),
      ),
      context,
    );

    // Assess
    expect(outcome).toBe('issued');
    const [reply] = replies();
    expect(reply.requestId).toBe('r-1');
    expect(new X509Certificate(reply.certificatePem).subject).toBe('CN=laptop');
    const issuedId = certificateIdOf(reply.certificatePem);
    expect(aws.iot.certificates.get(issuedId)).toMatchObject({
      status: 'ACTIVE',
      things: new Set(['laptop']),
    });
    // The old certificate keeps working until the agent reconnects with the new one.
    expect(aws.iot.certificates.get(agent.certificateId)?.status).toBe('ACTIVE');
    expect(aws.iotData.published.at(-1)).toMatchObject({ topic: 'clawpulsar/laptop/cert/issued', qos: 1 });
  });

  it('answers a malformed request with an error reply, issuing nothing', async () => {
    // Prepare
    const registered = aws.iot.certificates.size;

    // Act
    const outcome = await renew(
      iotRuleEvent('laptop', topicsFor('laptop').csr, '{"requestId":"r-2"}'),
      context,
    );

    // Assess
    expect(outcome).toBe('refused');
    expect(replies().at(-1)).toMatchObject({ requestId: 'invalid', error: expect.any(String) });
    expect(aws.iot.certificates.size).toBe(registered);
  });

  it("drops a CSR published on another agent's topic", async () => {
    // Prepare
    const published = aws.iotData.published.length;

    // Act
    const outcome = await renew(
      iotRuleEvent(
        'laptop',
        topicsFor('someone-else').csr,
        JSON.stringify({ requestId: 'r-3', csrPem: ssl.csr('stolen') }),
      ),
      context,
    );

    // Assess
    expect(outcome).toBe('rejected');
    expect(aws.iotData.published.length).toBe(published);
  });
});
