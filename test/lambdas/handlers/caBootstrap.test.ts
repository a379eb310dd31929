import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoConfigStore } from '../../../lambdas/adapters/aws/DynamoConfigStore.ts';
import { customResourceEvent } from '../../support/awsEvents.ts';
import { type AwsHarness, startAwsHarness } from '../../support/awsHarness.ts';
import type { LambdaHandler } from '../../support/awsScenario.ts';
import { CA_KEY_ARN } from '../../support/FakeKms.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

const context = {} as never;

describe('CA bootstrap handler', () => {
  let aws: AwsHarness;
  let bootstrap: LambdaHandler;
  let config: DynamoConfigStore;
  const ssl = new OpenSslWorkspace();

  beforeAll(async () => {
    aws = await startAwsHarness();
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    bootstrap = (await import('../../../lambdas/handlers/caBootstrap.ts')).handler as LambdaHandler;
    config = new DynamoConfigStore(aws.dynamo.client, aws.env.CONFIG_TABLE);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    ssl.remove();
    await aws.close();
  });

  it('creates a CA signed by the KMS key, registers it SNI_ONLY and stores it where the handlers read it', async () => {
    // Act
    const created = await bootstrap(
      customResourceEvent('Create', { CaSigningKeyArn: CA_KEY_ARN, LifetimeDays: '3650' }),
      context,
    );

    // Assess
    const stored = await config.getIssuingCa();
    expect(created).toEqual({
      PhysicalResourceId: stored.caCertificateId,
      Data: { CaCertificateId: stored.caCertificateId, CaCertificateArn: stored.caCertificateArn },
    });
    expect(aws.iot.calls[0]).toEqual({
      name: 'RegisterCACertificate',
      input: {
        caCertificate: stored.certificatePem,
        certificateMode: 'SNI_ONLY',
        setAsActive: true,
        allowAutoRegistration: false,
      },
    });
    // openssl, not our code, judges the certificate: self-signed, a CA, its key the KMS key's.
    ssl.write('ca.pem', stored.certificatePem);
    expect(ssl.run(['verify', '-CAfile', 'ca.pem', 'ca.pem']).stdout).toContain('ca.pem: OK');
    expect(ssl.must(['x509', '-in', 'ca.pem', '-noout', '-text'])).toMatch(/CA:TRUE, pathlen:0/);
    const ca = new X509Certificate(stored.certificatePem);
    expect(ca.subject).toBe('CN=ClawPulsar agent CA');
  });

  it('is idempotent: a repeated Create or an Update with the same key keeps the CA', async () => {
    // Prepare
    const before = await config.getIssuingCa();

    // Act
    const again = await bootstrap(customResourceEvent('Create', { CaSigningKeyArn: CA_KEY_ARN }), context);
    const updated = await bootstrap(
      customResourceEvent(
        'Update',
        { CaSigningKeyArn: CA_KEY_ARN },
        {
          PhysicalResourceId: before.caCertificateId,
          OldResourceProperties: { CaSigningKeyArn: CA_KEY_ARN },
        },
      ),
      context,
    );

    // Assess
    expect(again.PhysicalResourceId).toBe(before.caCertificateId);
    expect(updated.PhysicalResourceId).toBe(before.caCertificateId);
    expect(aws.iot.cas.size).toBe(1);
    expect(await config.getIssuingCa()).toEqual(before);
  });

  it('refuses properties that are not a KMS key ARN', async () => {
    await expect(
      bootstrap(customResourceEvent('Create', { CaSigningKeyArn: 'alias/not-an-arn' }), context),
    ).rejects.toMatchObject({
      code: 'invalid_resource_properties',
    });
  });

  it('on Delete deactivates and removes the CA and forgets it', async () => {
    // Prepare
    const { caCertificateId } = await config.getIssuingCa();

    // Act
    const deleted = await bootstrap(
      customResourceEvent('Delete', { CaSigningKeyArn: CA_KEY_ARN }, { PhysicalResourceId: caCertificateId }),
      context,
    );

    // Assess
    expect(deleted).toEqual({ PhysicalResourceId: caCertificateId });
    expect(aws.iot.cas.size).toBe(0);
    expect(await config.findIssuingCa()).toBeUndefined();
  });
});
