import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoCertificateRepository } from '../../../lambdas/adapters/aws/DynamoCertificateRepository.ts';
import { scheduledEvent } from '../../support/awsEvents.ts';
import { type AwsHarness, startAwsHarness } from '../../support/awsHarness.ts';
import { awsScenario, type LambdaHandler } from '../../support/awsScenario.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

const context = {} as never;

describe('certificate sweeper handler', () => {
  let aws: AwsHarness;
  let sweeper: LambdaHandler;
  let certificates: DynamoCertificateRepository;
  let scenario: Awaited<ReturnType<typeof awsScenario>>;
  const ssl = new OpenSslWorkspace();

  beforeAll(async () => {
    aws = await startAwsHarness();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    scenario = await awsScenario(aws, ssl);
    sweeper = (await import('../../../lambdas/handlers/certificateSweeper.ts')).handler as LambdaHandler;
    certificates = new DynamoCertificateRepository(aws.dynamo.client, aws.env.CERTIFICATES_TABLE);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    ssl.remove();
    await aws.close();
  });

  it('removes superseded and expired certificates from IoT Core and leaves the live one', async () => {
    // Prepare: laptop registers twice (the first certificate is superseded); an expired one for desk.
    const first = await scenario.registerAgent('laptop');
    const second = await scenario.registerAgent('laptop');
    const desk = await scenario.registerAgent('desk-1');
    const [deskRecord] = await certificates.listByAgent('desk-1');
    await certificates.put({ ...(deskRecord as NonNullable<typeof deskRecord>), notAfter: Date.now() - 1 });

    const callsBefore = aws.iot.calls.length;

    // Act
    const summary = await sweeper(scheduledEvent(), context);
    const again = await sweeper(scheduledEvent(), context);

    // Assess
    expect(summary).toEqual({ retired: 2, pending: 0, failed: 0 });
    expect(again).toEqual({ retired: 0, pending: 0, failed: 0 });
    expect(aws.iot.certificates.has(first.certificateId)).toBe(false);
    expect(aws.iot.certificates.has(desk.certificateId)).toBe(false);
    expect(aws.iot.certificates.get(second.certificateId)?.status).toBe('ACTIVE');
    const removal = aws.iot.calls
      .slice(callsBefore)
      .filter((c) => JSON.stringify(c.input).includes(first.certificateId))
      .map((c) => c.name);
    expect(removal).toEqual([
      'UpdateCertificate',
      'DetachThingPrincipal',
      'DetachPolicy',
      'DeleteCertificate',
    ]);
    const records = await certificates.listByAgent('laptop');
    expect(records.map((r) => r.iot?.state)).toEqual(['ACTIVE', 'DELETED']);
  });

  it('keeps sweeping past a certificate IoT Core refuses to delete yet, and finishes it next time', async () => {
    // Prepare
    const stale = await scenario.registerAgent('sticky-1');
    await scenario.registerAgent('sticky-1');
    const certificate = aws.iot.certificates.get(stale.certificateId);
    const detach = aws.iot.detachThingPrincipal.bind(aws.iot);
    let refusals = 1;
    aws.iot.detachThingPrincipal = (input) => {
      // Detaching is eventually consistent: the first time, the attachment outlives the call.
      if (refusals-- > 0) return {};
      return detach(input);
    };

    // Act
    const first = await sweeper(scheduledEvent(), context);
    const second = await sweeper(scheduledEvent(), context);

    // Assess
    expect(certificate?.status).toBe('INACTIVE');
    expect(first).toEqual({ retired: 0, pending: 1, failed: 0 });
    expect(second).toEqual({ retired: 1, pending: 0, failed: 0 });
    expect(aws.iot.certificates.has(stale.certificateId)).toBe(false);
  });
});
