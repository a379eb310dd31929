import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  type AttributeDefinition,
  CreateTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type Projection,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import {
  type IndexDefinition,
  TABLES,
  type TableDefinition,
  type TableName,
} from '../../lambdas/adapters/aws/tableDefinitions.ts';

/** Credentials and region for talking to dynalite (it checks neither, the SDK needs both). */
export const LOCAL_AWS = {
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
} as const;

export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Physical table names by logical name, as the stack's env variables would carry them. */
  readonly tables: Readonly<Record<TableName, string>>;
  close(): Promise<void>;
}

/**
 * An in-memory DynamoDB (dynalite on 127.0.0.1, a free port) with every table of tableDefinitions.ts
 * created exactly as defined there: key schema, GSIs and projections.
 *
 * @example
 * const dynamo = await startLocalDynamo();
 * const agents = new DynamoAgentRepository(dynamo.client, dynamo.tables.agents);
 */
export async function startLocalDynamo(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint });
  const prefix = `cp-${randomBytes(3).toString('hex')}`;
  const tables = {} as Record<TableName, string>;
  for (const [name, definition] of Object.entries(TABLES) as [TableName, TableDefinition][]) {
    tables[name] = `${prefix}-${name}`;
    await client.send(createTableCommand(tables[name], definition));
  }
  return {
    endpoint,
    client,
    tables,
    async close() {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The CreateTable request for a table definition (on-demand billing, as the stack uses). */
export function createTableCommand(tableName: string, definition: TableDefinition): CreateTableCommand {
  const attributes = new Map<string, AttributeDefinition>();
  const add = (key: { name: string; type: 'S' | 'N' | 'B' } | undefined) => {
    if (key) attributes.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  };
  add(definition.partitionKey);
  add(definition.sortKey);
  for (const index of definition.globalSecondaryIndexes) {
    add(index.partitionKey);
    add(index.sortKey);
  }
  const keySchema = (pk: { name: string }, sk?: { name: string }) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  const indexes: GlobalSecondaryIndex[] = definition.globalSecondaryIndexes.map((index) => ({
    IndexName: index.indexName,
    KeySchema: keySchema(index.partitionKey, index.sortKey),
    Projection: projection(index),
  }));
  return new CreateTableCommand({
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes.values()],
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(indexes.length ? { GlobalSecondaryIndexes: indexes } : {}),
  });
}

function projection(index: IndexDefinition): Projection {
  if (index.projection === 'ALL' || index.projection === 'KEYS_ONLY')
    return { ProjectionType: index.projection };
  return { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projection] };
}
