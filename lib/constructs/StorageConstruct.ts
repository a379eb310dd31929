import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  type AttributeType,
  type IndexDefinition,
  type KeyAttribute,
  TABLES,
  type TableDefinition,
  type TableName,
} from '../../lambdas/adapters/aws/tableDefinitions.ts';

export interface StorageConstructProps {
  readonly dataKey: kms.IKey;
}

export interface RecoveryChoice {
  readonly pointInTimeRecovery: boolean;
  /** Why, stated once: it becomes the table's nag acknowledgement when PITR is off. */
  readonly reason: string;
}

/**
 * Point-in-time recovery per table. A restore brings back whatever the table held in the last 35 days,
 * and deleting a table with PITR on leaves a 35-day system backup: right for records worth restoring,
 * wrong for secrets, where "deleted means gone" must hold. Typed over every table, so a new table in
 * tableDefinitions.ts can't be deployed without a decision here.
 */
export const RECOVERY: Readonly<Record<TableName, RecoveryChoice>> = {
  agents: {
    pointInTimeRecovery: true,
    reason: 'Agent registrations (ids, public sealing keys) are costly to redo by hand and hold no secrets.',
  },
  certificates: {
    pointInTimeRecovery: false,
    reason:
      'Certificates live 24 h and are renewed over the tunnel; restoring stale records would only describe ' +
      'certificates that have expired, so the table is rebuilt by renewal, not by restore.',
  },
  sources: {
    pointInTimeRecovery: false,
    reason:
      'Holds source signing secrets (as KMS ciphertext): without backups a deleted source or secret is gone, ' +
      'with no shadow copy to restore, which is the promise made to the user.',
  },
  registrationTokens: {
    pointInTimeRecovery: false,
    reason:
      'One-time registration tokens: a restore could bring back a token that was already used or revoked, ' +
      'so the table must never be restored; tokens expire within hours anyway.',
  },
  dedupe: {
    pointInTimeRecovery: false,
    reason: 'A 72 h window of provider delivery ids, rebuilt by traffic; nothing in it is worth restoring.',
  },
  deliveryLog: {
    pointInTimeRecovery: true,
    reason: 'The delivery log is the audit record (metadata only, 90 days) and is worth restoring.',
  },
  presence: {
    pointInTimeRecovery: false,
    reason: 'Connection state only; the next connect or disconnect event rewrites it.',
  },
  inFlight: {
    pointInTimeRecovery: false,
    reason:
      'Delivery progress mirrors the queue, which has no point-in-time restore: restored rows would point at ' +
      'stale receipt handles, so the dispatcher rebuilds this state from the queue instead.',
  },
  config: {
    pointInTimeRecovery: true,
    reason: 'Holds the issuing CA registration written at deploy time; small, no secrets, worth restoring.',
  },
};

const ATTRIBUTE_TYPES: Readonly<Record<AttributeType, dynamodb.AttributeType>> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

function projectionOf(projection: IndexDefinition['projection']): {
  projectionType: dynamodb.ProjectionType;
  nonKeyAttributes?: string[];
} {
  if (projection === 'ALL') return { projectionType: dynamodb.ProjectionType.ALL };
  if (projection === 'KEYS_ONLY') return { projectionType: dynamodb.ProjectionType.KEYS_ONLY };
  return { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...projection] };
}

const attribute = (key: KeyAttribute): dynamodb.Attribute => ({
  name: key.name,
  type: ATTRIBUTE_TYPES[key.type],
});

/**
 * The DynamoDB tables, built from lambdas/adapters/aws/tableDefinitions.ts (the adapters' own source of
 * truth, so keys, indexes and TTL attributes can't drift from the code that reads them). Every table is
 * on-demand, encrypted with the stack's data key, TTL on where the definition has one, and removed with
 * the stack.
 */
export class StorageConstruct extends Construct {
  readonly tables: Readonly<Record<TableName, dynamodb.Table>>;

  constructor(scope: Construct, id: string, props: StorageConstructProps) {
    super(scope, id);
    const tables = {} as Record<TableName, dynamodb.Table>;
    for (const name of Object.keys(TABLES) as TableName[]) {
      tables[name] = this.#table(name, props.dataKey);
    }
    this.tables = tables;
  }

  #table(name: TableName, dataKey: kms.IKey): dynamodb.Table {
    return buildTable(
      this,
      `${name[0]?.toUpperCase()}${name.slice(1)}Table`,
      TABLES[name],
      dataKey,
      RECOVERY[name],
    );
  }
}

/**
 * One table from its definition: on demand, encrypted with `dataKey`, TTL where the definition has one,
 * point-in-time recovery as `recovery` decides (its reason becomes the nag acknowledgement when off),
 * removed with the stack. The budget monitor's tables are built the same way.
 *
 * @example
 * buildTable(this, 'ProviderKeysTable', BUDGET_TABLES.providerKeys, dataKey, { pointInTimeRecovery: false, reason });
 */
export function buildTable(
  scope: Construct,
  id: string,
  definition: TableDefinition,
  dataKey: kms.IKey,
  recovery: RecoveryChoice,
): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
    partitionKey: attribute(definition.partitionKey),
    sortKey: definition.sortKey ? attribute(definition.sortKey) : undefined,
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: dataKey,
    timeToLiveAttribute: definition.timeToLiveAttribute,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: recovery.pointInTimeRecovery },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  for (const index of definition.globalSecondaryIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: index.sortKey ? attribute(index.sortKey) : undefined,
      ...projectionOf(index.projection),
    });
  }
  const acks = Validations.of(table);
  acks.acknowledge({
    id: 'NIST.800.53.R5-DynamoDBInBackupPlan',
    reason: recovery.pointInTimeRecovery
      ? 'Protected by continuous point-in-time recovery (35 days) instead of an AWS Backup plan.'
      : `No backups by design: ${recovery.reason}`,
  });
  if (!recovery.pointInTimeRecovery) {
    acks.acknowledge({ id: 'NIST.800.53.R5-DynamoDBPITREnabled', reason: recovery.reason });
    acks.acknowledge({ id: 'AwsSolutions-DDB3', reason: recovery.reason });
  }
  return table;
}
