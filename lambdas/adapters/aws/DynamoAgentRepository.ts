import { type DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AgentRecord, AgentRepository, AgentStatus } from '../../core/ports.ts';
import { av, type Item, read } from './dynamoItem.ts';
import { pagedItems } from './pagedItems.ts';

/**
 * Agents in DynamoDB (table `agents`, key `agentId`). Reads are strongly consistent: a revocation must
 * take effect on the next webhook, not after replication.
 *
 * @example
 * const agents = new DynamoAgentRepository(dynamo, env.AGENTS_TABLE);
 */
export class DynamoAgentRepository implements AgentRepository {
  readonly #client: DynamoDBClient;
  readonly #table: string;

  constructor(client: DynamoDBClient, tableName: string) {
    this.#client = client;
    this.#table = tableName;
  }

  async get(agentId: string): Promise<AgentRecord | undefined> {
    const { Item: item } = await this.#client.send(
      new GetItemCommand({ TableName: this.#table, Key: { agentId: av.s(agentId) }, ConsistentRead: true }),
    );
    return item ? toRecord(item) : undefined;
  }

  async put(agent: AgentRecord): Promise<void> {
    const item: Item = {
      agentId: av.s(agent.agentId),
      status: av.s(agent.status),
      createdAt: av.n(agent.createdAt),
    };
    if (agent.sealingPublicKey) item.sealingPublicKey = av.b(agent.sealingPublicKey);
    if (agent.hostname !== undefined) item.hostname = av.s(agent.hostname);
    if (agent.registeredAt !== undefined) item.registeredAt = av.n(agent.registeredAt);
    if (agent.revokedAt !== undefined) item.revokedAt = av.n(agent.revokedAt);
    await this.#client.send(new PutItemCommand({ TableName: this.#table, Item: item }));
  }

  async list(): Promise<AgentRecord[]> {
    const agents: AgentRecord[] = [];
    for await (const item of pagedItems(
      this.#client,
      (start) => new ScanCommand({ TableName: this.#table, ExclusiveStartKey: start, ConsistentRead: true }),
    )) {
      agents.push(toRecord(item));
    }
    return agents.sort((a, b) => (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0));
  }
}

function toRecord(item: Item): AgentRecord {
  const sealingPublicKey = read.optionalB(item, 'sealingPublicKey');
  const hostname = read.optionalS(item, 'hostname');
  const registeredAt = read.optionalN(item, 'registeredAt');
  const revokedAt = read.optionalN(item, 'revokedAt');
  return {
    agentId: read.s(item, 'agentId'),
    status: read.s(item, 'status') as AgentStatus,
    createdAt: read.n(item, 'createdAt'),
    ...(sealingPublicKey ? { sealingPublicKey: new Uint8Array(sealingPublicKey) } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
    ...(registeredAt !== undefined ? { registeredAt } : {}),
    ...(revokedAt !== undefined ? { revokedAt } : {}),
  };
}
