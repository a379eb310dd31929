import { Aws } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/**
 * Least-privilege statement builders: every statement names its exact resources (a table and its
 * indexes, one queue, one key, one bucket prefix, IoT ARNs under this account) and, for KMS, the
 * encryption context or the service the key is reached through. Nothing here ever grants `Resource: *`.
 */

export type DynamoAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan'
  | 'dynamodb:BatchWriteItem';

const WRITE_ACTIONS: ReadonlySet<DynamoAction> = new Set([
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
]);

export interface TableAccessOptions {
  /** Global secondary indexes (by name, each on every table given) the actions also apply to. */
  readonly indexes?: readonly string[];
}

/**
 * `actions` on `tables` and, by name, on their indexes (for Query on a GSI).
 *
 * @example
 * tableStatement(['dynamodb:Query'], [certificates], { indexes: ['byAgent'] });
 */
export function tableStatement(
  actions: readonly DynamoAction[],
  tables: readonly dynamodb.ITable[],
  options: TableAccessOptions = {},
): iam.PolicyStatement {
  const resources = tables.flatMap((table) => [
    table.tableArn,
    ...(options.indexes ?? []).map((index) => `${table.tableArn}/index/${index}`),
  ]);
  return new iam.PolicyStatement({ actions: [...actions], resources });
}

/** What DynamoDB may do with the table key on a reader's behalf. */
const TABLE_KEY_READ = ['kms:Decrypt', 'kms:DescribeKey'];
/** …and on a writer's (the same set CDK's table grants use, spelled out instead of `GenerateDataKey*`). */
const TABLE_KEY_WRITE = [
  ...TABLE_KEY_READ,
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/**
 * What a function needs on the data key to use `tables` (encrypted with it): only through DynamoDB, and
 * only under those tables' encryption context. Writers also get the encrypt half.
 */
export function tableKeyStatement(
  key: kms.IKey,
  tables: readonly dynamodb.ITable[],
  actions: readonly DynamoAction[],
): iam.PolicyStatement {
  const writes = actions.some((action) => WRITE_ACTIONS.has(action));
  return new iam.PolicyStatement({
    actions: writes ? TABLE_KEY_WRITE : TABLE_KEY_READ,
    resources: [key.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.amazonaws.com` },
      // DynamoDB's context names the table; DescribeKey carries no context, hence IfExists.
      StringEqualsIfExists: {
        'kms:EncryptionContext:aws:dynamodb:tableName': tables.map((table) => table.tableName),
      },
    },
  });
}

/** Each table statement plus the key statement it implies. */
export function tableAccess(
  key: kms.IKey,
  actions: readonly DynamoAction[],
  tables: readonly dynamodb.ITable[],
  options: TableAccessOptions = {},
): iam.PolicyStatement[] {
  return [tableStatement(actions, tables, options), tableKeyStatement(key, tables, actions)];
}

/**
 * KMS use of the queue's key by SQS on the caller's behalf: senders need `GenerateDataKey` and
 * `Decrypt`, receivers `Decrypt`. SQS's encryption context is the queue ARN.
 */
export function queueKeyStatement(
  key: kms.IKey,
  queue: sqs.IQueue,
  actions: readonly ('kms:Decrypt' | 'kms:GenerateDataKey')[],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...actions],
    resources: [key.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` },
      StringEqualsIfExists: { 'kms:EncryptionContext:aws:sqs:arn': queue.queueArn },
    },
  });
}

/**
 * What a Lambda consuming `queue` through an event source mapping needs: receive, delete, change
 * visibility and read attributes on that one queue, and `Decrypt` of its key through SQS.
 */
export function queueConsumerAccess(key: kms.IKey, queue: sqs.IQueue): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      ],
      resources: [queue.queueArn],
    }),
    queueKeyStatement(key, queue, ['kms:Decrypt']),
  ];
}

/**
 * KMS use of the bucket's key by S3 (SSE-KMS with an S3 Bucket Key, whose encryption context is the
 * bucket ARN).
 */
export function bucketKeyStatement(
  key: kms.IKey,
  bucket: s3.IBucket,
  actions: readonly ('kms:Decrypt' | 'kms:GenerateDataKey')[],
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...actions],
    resources: [key.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` },
      StringLikeIfExists: { 'kms:EncryptionContext:aws:s3:arn': [bucket.bucketArn, `${bucket.bucketArn}/*`] },
    },
  });
}

/** Direct `Encrypt`/`Decrypt` of application secrets, only under the given `purpose` context. */
export function secretsKeyStatement(
  key: kms.IKey,
  actions: readonly ('kms:Encrypt' | 'kms:Decrypt')[],
  purpose: string,
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [...actions],
    resources: [key.keyArn],
    conditions: { StringEquals: { 'kms:EncryptionContext:purpose': purpose } },
  });
}

/**
 * An IoT ARN in this stack's account and region, e.g. `iotArn('topic/clawpulsar/*\/deliveries')`.
 * IoT policy variables (`${iot:…}`) pass through untouched: CDK joins strings, it never uses Fn::Sub here.
 */
export function iotArn(resource: string): string {
  return `arn:${Aws.PARTITION}:iot:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}
