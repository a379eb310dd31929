import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { CertificateRecord, CertificateRepository, CertificateStatus } from '../../core/ports.ts';
import { av, type Item, read, ttlSeconds } from './dynamoItem.ts';
import { pagedItems } from './pagedItems.ts';

/** Certificate records are kept a week past expiry for the audit trail, then DynamoDB's TTL drops them. */
const RETAIN_AFTER_EXPIRY_MS = 7 * 24 * 60 * 60 * 1000;

/** Where a certificate stands in IoT Core's registry. */
export type IotCertificateState = 'ACTIVE' | 'INACTIVE' | 'DELETED';

/** A certificate record with its IoT Core registration, once it has one. */
export interface IotCertificateRecord extends CertificateRecord {
  readonly iot?: {
    readonly certificateId: string;
    readonly certificateArn: string;
    readonly state: IotCertificateState;
  };
}

/** Whether IoT Core still accepts connections with the certificate (registered and not deactivated). */
export function isActiveInIot(
  record: IotCertificateRecord,
): record is IotCertificateRecord & { readonly iot: NonNullable<IotCertificateRecord['iot']> } {
  return record.iot?.state === 'ACTIVE';
}

/**
 * Issued agent certificates in DynamoDB (table `certificates`, key `serialNumber`, index `byAgent`). The
 * core record and the IoT Core registration live on one item: `put` updates only the core attributes, so
 * the IoT ids written by the provisioner survive status changes.
 *
 * @example
 * const certificates = new DynamoCertificateRepository(dynamo, env.CERTIFICATES_TABLE);
 */
export class DynamoCertificateRepository implements CertificateRepository {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async get(serialNumber: string): Promise<IotCertificateRecord | undefined> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({
        TableName: this.#table,
        Key: { serialNumber: av.s(serialNumber) },
        ConsistentRead: true,
      }),
    );
    return item ? toRecord(item) : undefined;
  }

  async put(c: CertificateRecord): Promise<void> {
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { serialNumber: av.s(c.serialNumber) },
        UpdateExpression:
          'SET agentId = :agentId, notBefore = :notBefore, notAfter = :notAfter, #status = :status, issuedAt = :issuedAt, #ttl = :ttl',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':agentId': av.s(c.agentId),
          ':notBefore': av.n(c.notBefore),
          ':notAfter': av.n(c.notAfter),
          ':status': av.s(c.status),
          ':issuedAt': av.n(c.issuedAt),
          ':ttl': av.n(ttlSeconds(c.notAfter + RETAIN_AFTER_EXPIRY_MS)),
        },
      }),
    );
  }

  /** The agent's certificates, newest first (index `byAgent`). */
  async listByAgent(agentId: string): Promise<IotCertificateRecord[]> {
    const records: IotCertificateRecord[] = [];
    for await (const item of pagedItems(
      this.#client,
      (start) =>
        new QueryCommand({
          TableName: this.#table,
          IndexName: 'byAgent',
          KeyConditionExpression: 'agentId = :agentId',
          ExpressionAttributeValues: { ':agentId': av.s(agentId) },
          ScanIndexForward: false,
          ExclusiveStartKey: start,
        }),
    )) {
      records.push(toRecord(item));
    }
    return records;
  }

  /** Records the IoT Core registration of an issued certificate. */
  async recordIotRegistration(
    serialNumber: string,
    iot: { readonly certificateId: string; readonly certificateArn: string },
  ): Promise<void> {
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { serialNumber: av.s(serialNumber) },
        UpdateExpression: 'SET iotCertificateId = :id, iotCertificateArn = :arn, iotState = :state',
        ConditionExpression: 'attribute_exists(serialNumber)',
        ExpressionAttributeValues: {
          ':id': av.s(iot.certificateId),
          ':arn': av.s(iot.certificateArn),
          ':state': av.s('ACTIVE'),
        },
      }),
    );
  }

  /** Records a change of the certificate's IoT Core state (deactivated, deleted). */
  async recordIotState(serialNumber: string, state: IotCertificateState): Promise<void> {
    await this.#client.send(
      new UpdateItemCommand({
        TableName: this.#table,
        Key: { serialNumber: av.s(serialNumber) },
        UpdateExpression: 'SET iotState = :state',
        ConditionExpression: 'attribute_exists(iotCertificateId)',
        ExpressionAttributeValues: { ':state': av.s(state) },
      }),
    );
  }

  /**
   * Certificates still registered in IoT Core that should not be: superseded, revoked, or expired at
   * `now`. A full scan — the table holds a few certificates per agent and the sweeper runs hourly.
   */
  async listRetirable(now: number): Promise<IotCertificateRecord[]> {
    const records: IotCertificateRecord[] = [];
    for await (const item of pagedItems(
      this.#client,
      (start) =>
        new ScanCommand({
          TableName: this.#table,
          FilterExpression:
            'attribute_exists(iotCertificateId) AND iotState <> :deleted AND (#status <> :active OR notAfter <= :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':deleted': av.s('DELETED'),
            ':active': av.s('active'),
            ':now': av.n(now),
          },
          ExclusiveStartKey: start,
        }),
    )) {
      records.push(toRecord(item));
    }
    return records;
  }
}

function toRecord(item: Item): IotCertificateRecord {
  const certificateId = read.optionalS(item, 'iotCertificateId');
  return {
    serialNumber: read.s(item, 'serialNumber'),
    agentId: read.s(item, 'agentId'),
    notBefore: read.n(item, 'notBefore'),
    notAfter: read.n(item, 'notAfter'),
    status: read.s(item, 'status') as CertificateStatus,
    issuedAt: read.n(item, 'issuedAt'),
    ...(certificateId !== undefined
      ? {
          iot: {
            certificateId,
            certificateArn: read.s(item, 'iotCertificateArn'),
            state: read.s(item, 'iotState') as IotCertificateState,
          },
        }
      : {}),
  };
}
