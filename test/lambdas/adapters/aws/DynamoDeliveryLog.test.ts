import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeliveryLog, utcDay } from '../../../../lambdas/adapters/aws/DynamoDeliveryLog.ts';
import type { DeliveryLogEntry } from '../../../../lambdas/core/ports.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../support/localDynamo.ts';

const DAY = 24 * 3_600_000;
const NOW = Date.UTC(2026, 2, 20, 12);

function entry(
  envelopeId: string,
  agentId: string,
  receivedAt: number,
  extra: Partial<DeliveryLogEntry> = {},
): DeliveryLogEntry {
  return {
    envelopeId,
    agentId,
    sourceId: 'github',
    provider: 'github',
    deliveryId: `d-${envelopeId}`,
    receivedAt,
    sizeBytes: 1234,
    status: 'queued',
    attempts: 0,
    updatedAt: receivedAt,
    ...extra,
  };
}

describe('DynamoDeliveryLog', () => {
  let dynamo: LocalDynamo;
  let log: DynamoDeliveryLog;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    log = new DynamoDeliveryLog(dynamo.client, dynamo.tables.deliveryLog, { now: () => NOW });
  });
  afterAll(() => dynamo.close());

  it('moves an entry from queued to delivered and keeps only metadata, for 90 days', async () => {
    // Prepare
    await log.record(entry('e1', 'laptop-1', NOW - 1_000));

    // Act
    await log.record(
      entry('e1', 'laptop-1', NOW - 1_000, {
        status: 'delivered',
        attempts: 1,
        statusCode: 204,
        latencyMs: 80,
        updatedAt: NOW,
      }),
    );

    // Assess
    const [read] = await log.list({ agentId: 'laptop-1', limit: 10 });
    expect(read).toEqual(
      entry('e1', 'laptop-1', NOW - 1_000, {
        status: 'delivered',
        attempts: 1,
        statusCode: 204,
        latencyMs: 80,
        updatedAt: NOW,
      }),
    );
    const { Item } = await dynamo.client.send(
      new GetItemCommand({ TableName: dynamo.tables.deliveryLog, Key: { envelopeId: { S: 'e1' } } }),
    );
    expect(Object.keys(Item ?? {}).sort()).toEqual(
      [
        'agentId',
        'attempts',
        'deliveryId',
        'envelopeId',
        'latencyMs',
        'provider',
        'receivedAt',
        'receivedDay',
        'sizeBytes',
        'sourceId',
        'status',
        'statusCode',
        'ttl',
        'updatedAt',
      ].sort(),
    );
    expect(Item?.ttl?.N).toBe(String(Math.ceil((NOW + 90 * DAY) / 1000)));
  });

  it('never lets a late queued record overwrite an outcome', async () => {
    // Prepare
    await log.record(
      entry('e2', 'race-1', NOW, { status: 'delivered', attempts: 1, statusCode: 200, updatedAt: NOW + 50 }),
    );

    // Act
    await log.record(entry('e2', 'race-1', NOW));

    // Assess
    const [read] = await log.list({ agentId: 'race-1', limit: 1 });
    expect(read?.status).toBe('delivered');
  });

  it('keeps the size of the first record (the body), as the local log does', async () => {
    // Prepare
    await log.record(entry('e-size', 'laptop-3', NOW - 500, { sizeBytes: 100 }));

    // Act: the ack knows only the sealed envelope's size.
    await log.record(
      entry('e-size', 'laptop-3', NOW - 500, {
        status: 'delivered',
        attempts: 1,
        statusCode: 200,
        sizeBytes: 321,
      }),
    );

    // Assess
    const [read] = await log.list({ agentId: 'laptop-3', limit: 10 });
    expect(read).toMatchObject({ envelopeId: 'e-size', status: 'delivered', sizeBytes: 100 });
  });

  it('drops a status code a later record does not carry', async () => {
    // Prepare
    await log.record(entry('e3', 'codes-1', NOW, { status: 'failed', statusCode: 400, attempts: 1 }));

    // Act
    await log.record(entry('e3', 'codes-1', NOW, { status: 'expired', attempts: 3, updatedAt: NOW + 1 }));

    // Assess
    const [read] = await log.list({ agentId: 'codes-1', limit: 1 });
    expect(read).not.toHaveProperty('statusCode');
    expect(read?.status).toBe('expired');
  });

  it('lists across agents newest first, walking days back, with filters and paging', async () => {
    // Prepare
    const base = NOW - 2 * DAY;
    await log.record(entry('p1', 'page-a', base, { sourceId: 'stripe' }));
    await log.record(entry('p2', 'page-b', base + DAY));
    await log.record(
      entry('p3', 'page-a', base + DAY + 5, { status: 'failed', statusCode: 410, attempts: 1 }),
    );
    await log.record(entry('old', 'page-a', NOW - 91 * DAY));

    // Act
    const all = await log.list({ limit: 100 });
    const failed = await log.list({ status: 'failed', limit: 10 });
    const stripe = await log.list({ sourceId: 'stripe', limit: 10 });
    const firstPage = await log.list({ agentId: 'page-a', limit: 1 });
    const secondPage = await log.list({ agentId: 'page-a', limit: 1, before: firstPage[0]?.receivedAt });

    // Assess
    const times = all.map((e) => e.receivedAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all.map((e) => e.envelopeId)).toEqual(expect.arrayContaining(['p1', 'p2', 'p3']));
    expect(all.map((e) => e.envelopeId)).not.toContain('old');
    expect(failed.map((e) => e.envelopeId)).toEqual(['p3']);
    expect(stripe.map((e) => e.envelopeId)).toEqual(['p1']);
    expect(firstPage.map((e) => e.envelopeId)).toEqual(['p3']);
    expect(secondPage.map((e) => e.envelopeId)).toEqual(['p1']);
  });

  it('stops at the limit', async () => {
    expect(await log.list({ limit: 2 })).toHaveLength(2);
  });

  it('buckets entries by their UTC day', () => {
    expect(utcDay(Date.UTC(2026, 0, 1, 23, 59, 59, 999))).toBe('2026-01-01');
    expect(utcDay(Date.UTC(2026, 0, 2))).toBe('2026-01-02');
  });
});
