import { IoTClient, RegisterCertificateCommand } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCertificateRepository } from '../../../../lambdas/adapters/aws/DynamoCertificateRepository.ts';
import { IotAgentProvisioner } from '../../../../lambdas/adapters/aws/IotAgentProvisioner.ts';
import { IotCertificateLifecycle } from '../../../../lambdas/adapters/aws/IotCertificateLifecycle.ts';
import { createCaCertificate } from '../../../../lambdas/core/identity/createCaCertificate.ts';
import { issueAgentCertificate } from '../../../../lambdas/core/identity/issueAgentCertificate.ts';
import { wire } from '../../../support/awsHarness.ts';
import { FakeIotDataPlane } from '../../../support/FakeIotDataPlane.ts';
import { certificateIdOf, FakeIotRegistry } from '../../../support/FakeIotRegistry.ts';
import { FakeKms } from '../../../support/FakeKms.ts';
import { FakeS3 } from '../../../support/FakeS3.ts';
import { FakeSqs } from '../../../support/FakeSqs.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../support/localDynamo.ts';
import { OpenSslWorkspace } from '../../../support/openssl.ts';
import { testSigner } from '../../core/identity/support/testSigner.ts';

describe('IotAgentProvisioner and IotCertificateLifecycle', () => {
  const ssl = new OpenSslWorkspace();
  const mocks = {
    iot: mockClient(IoTClient),
    sqs: mockClient(SQSClient),
    iotData: mockClient(IoTDataPlaneClient),
    kms: mockClient(KMSClient),
    s3: mockClient(S3Client),
  };
  const iotMock = mocks.iot;
  const iot = new FakeIotRegistry();
  const kms = new FakeKms();
  let dynamo: LocalDynamo;
  let certificates: DynamoCertificateRepository;
  let provisioner: IotAgentProvisioner;
  let lifecycle: IotCertificateLifecycle;
  let issue: (
    name: string,
  ) => Promise<{ certificatePem: string; serialNumber: string; notAfter: number; notBefore: number }>;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    wire(mocks, {
      iot,
      sqs: new FakeSqs({ retentionSeconds: 1, visibilitySeconds: 1 }),
      iotData: new FakeIotDataPlane(),
      kms,
      s3: new FakeS3(),
    });
    const signer = testSigner();
    const now = Date.now();
    const ca = await createCaCertificate({
      signer,
      commonName: 'Provisioner test CA',
      now,
      lifetimeMs: 30 * 86_400_000,
    });
    const client = new IoTClient({ region: 'eu-west-1' });
    iot.registerCACertificate({
      caCertificate: ca.certificatePem,
      certificateMode: 'SNI_ONLY',
      setAsActive: true,
    });
    certificates = new DynamoCertificateRepository(dynamo.client, dynamo.tables.certificates);
    provisioner = new IotAgentProvisioner({
      iot: client,
      certificates,
      policyName: 'agent-policy',
      caCertificatePem: ca.certificatePem,
    });
    lifecycle = new IotCertificateLifecycle({ iot: client, certificates });
    issue = async (name) => {
      const issued = await issueAgentCertificate({
        csr: ssl.csr(name),
        agentId: 'laptop',
        signer,
        caCertificate: ca.certificatePem,
        now,
      });
      await certificates.put({ ...issued, agentId: 'laptop', status: 'active', issuedAt: now });
      return issued;
    };
  });
  afterAll(async () => {
    for (const mock of Object.values(mocks)) mock.restore();
    kms.close();
    ssl.remove();
    await dynamo.close();
  });

  it('registers with the CA named, ACTIVE, attaches policy and exclusive thing, and records the ids', async () => {
    // Prepare
    const issued = await issue('one');

    // Act
    await provisioner.register({ agentId: 'laptop', ...issued });

    // Assess
    const id = certificateIdOf(issued.certificatePem);
    expect(iotMock.commandCalls(RegisterCertificateCommand)[0]?.args[0].input).toEqual({
      certificatePem: issued.certificatePem,
      caCertificatePem: expect.stringContaining('BEGIN CERTIFICATE'),
      status: 'ACTIVE',
    });
    expect(iot.certificates.get(id)).toMatchObject({
      status: 'ACTIVE',
      mode: 'SNI_ONLY',
      policies: new Set(['agent-policy']),
      things: new Set(['laptop']),
    });
    expect((await certificates.get(issued.serialNumber))?.iot).toEqual({
      certificateId: id,
      certificateArn: `arn:aws:iot:eu-west-1:111122223333:cert/${id}`,
      state: 'ACTIVE',
    });
  });

  it('finishes an interrupted registration when retried (the certificate already exists in IoT)', async () => {
    // Prepare
    const issued = await issue('two');
    const attach = iot.attachPolicy.bind(iot);
    iot.attachPolicy = () => {
      iot.attachPolicy = attach;
      throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    };
    await expect(provisioner.register({ agentId: 'laptop', ...issued })).rejects.toMatchObject({
      name: 'ThrottlingException',
    });

    // Act
    await provisioner.register({ agentId: 'laptop', ...issued });

    // Assess
    const id = certificateIdOf(issued.certificatePem);
    expect(iot.certificates.get(id)?.policies).toEqual(new Set(['agent-policy']));
    expect((await certificates.get(issued.serialNumber))?.iot?.certificateId).toBe(id);
  });

  it('refuses a certificate its CA did not sign (IoT validates the chain)', async () => {
    // Prepare
    const stranger = testSigner();
    const strangerCa = await createCaCertificate({
      signer: stranger,
      commonName: 'Stranger',
      now: Date.now(),
      lifetimeMs: 3 * 86_400_000,
    });
    const forged = await issueAgentCertificate({
      csr: ssl.csr('forged'),
      agentId: 'laptop',
      signer: stranger,
      caCertificate: strangerCa.certificatePem,
      now: Date.now(),
    });

    // Act
    const attempt = provisioner.register({ agentId: 'laptop', ...forged });

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'CertificateValidationException' });
  });

  it('deactivates and retires a certificate idempotently', async () => {
    // Prepare
    const issued = await issue('three');
    await provisioner.register({ agentId: 'laptop', ...issued });
    const record = await certificates.get(issued.serialNumber);

    // Act
    await lifecycle.deactivate(record as NonNullable<typeof record>);
    const retired = await lifecycle.retire(
      (await certificates.get(issued.serialNumber)) as NonNullable<typeof record>,
      'agent-policy',
    );
    const again = await lifecycle.retire(
      (await certificates.get(issued.serialNumber)) as NonNullable<typeof record>,
      'agent-policy',
    );

    // Assess
    expect([retired, again]).toEqual([true, true]);
    expect(iot.certificates.has(certificateIdOf(issued.certificatePem))).toBe(false);
    expect((await certificates.get(issued.serialNumber))?.iot?.state).toBe('DELETED');
  });
});
