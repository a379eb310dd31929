import { ConditionalCheckFailedException, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCertificateRepository } from '../../../../lambdas/adapters/aws/DynamoCertificateRepository.ts';
import type { CertificateRecord } from '../../../../lambdas/core/ports.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../support/localDynamo.ts';

const HOUR = 3_600_000;

function certificate(
  serialNumber: string,
  agentId: string,
  issuedAt: number,
  status = 'active',
): CertificateRecord {
  return {
    serialNumber,
    agentId,
    notBefore: issuedAt - 300_000,
    notAfter: issuedAt + 24 * HOUR,
    status: status as CertificateRecord['status'],
    issuedAt,
  };
}

describe('DynamoCertificateRepository', () => {
  let dynamo: LocalDynamo;
  let certificates: DynamoCertificateRepository;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    certificates = new DynamoCertificateRepository(dynamo.client, dynamo.tables.certificates);
  });
  afterAll(() => dynamo.close());

  it("lists an agent's certificates newest first, and no other agent's", async () => {
    // Prepare
    await certificates.put(certificate('0a', 'laptop-1', 1_000));
    await certificates.put(certificate('0c', 'laptop-1', 3_000));
    await certificates.put(certificate('0b', 'laptop-1', 2_000));
    await certificates.put(certificate('ff', 'other-1', 2_500));

    // Act
    const serials = (await certificates.listByAgent('laptop-1')).map((c) => c.serialNumber);

    // Assess
    expect(serials).toEqual(['0c', '0b', '0a']);
  });

  it('keeps the IoT registration when the core changes the status', async () => {
    // Prepare
    await certificates.put(certificate('1a', 'iot-agent', 10_000));
    await certificates.recordIotRegistration('1a', {
      certificateId: 'c'.repeat(64),
      certificateArn: 'arn:cert/1a',
    });

    // Act
    await certificates.put({ ...certificate('1a', 'iot-agent', 10_000), status: 'superseded' });

    // Assess
    expect(await certificates.get('1a')).toEqual({
      ...certificate('1a', 'iot-agent', 10_000),
      status: 'superseded',
      iot: { certificateId: 'c'.repeat(64), certificateArn: 'arn:cert/1a', state: 'ACTIVE' },
    });
  });

  it('refuses to record an IoT registration for a certificate it never issued', async () => {
    await expect(
      certificates.recordIotRegistration('never', { certificateId: 'x', certificateArn: 'arn:x' }),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('finds registered certificates that are superseded, revoked or expired, and nothing else', async () => {
    // Prepare
    const now = 100 * HOUR;
    const register = async (record: CertificateRecord) => {
      await certificates.put(record);
      await certificates.recordIotRegistration(record.serialNumber, {
        certificateId: `id-${record.serialNumber}`,
        certificateArn: `arn:${record.serialNumber}`,
      });
    };
    await register(certificate('20', 'sweep-1', now - HOUR)); // active, valid
    await register(certificate('21', 'sweep-1', now - 2 * HOUR, 'superseded'));
    await register(certificate('22', 'sweep-1', now - 3 * HOUR, 'revoked'));
    await register(certificate('23', 'sweep-1', now - 25 * HOUR)); // active but expired
    await register(certificate('24', 'sweep-1', now - 26 * HOUR, 'superseded'));
    await certificates.recordIotState('24', 'DELETED'); // already swept
    await certificates.put(certificate('25', 'sweep-1', now - 30 * HOUR, 'superseded')); // never registered

    // Act
    const retirable = (await certificates.listRetirable(now)).filter((c) => c.agentId === 'sweep-1');

    // Assess
    expect(retirable.map((c) => c.serialNumber).sort()).toEqual(['21', '22', '23']);
  });

  it('sets a TTL a week after the certificate expires', async () => {
    // Prepare
    const record = certificate('30', 'ttl-agent', 1_700_000_000_000);

    // Act
    await certificates.put(record);

    // Assess
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: dynamo.tables.certificates, Key: { serialNumber: { S: '30' } } }),
    );
    expect(Number(Item?.ttl?.N)).toBe(Math.ceil((record.notAfter + 7 * 24 * HOUR) / 1000));
  });
});
