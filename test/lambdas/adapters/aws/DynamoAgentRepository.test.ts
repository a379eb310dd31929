import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAgentRepository } from '../../../../lambdas/adapters/aws/DynamoAgentRepository.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../support/localDynamo.ts';

describe('DynamoAgentRepository', () => {
  let dynamo: LocalDynamo;
  let agents: DynamoAgentRepository;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    agents = new DynamoAgentRepository(dynamo.client, dynamo.tables.agents);
  });
  afterAll(() => dynamo.close());

  it('stores an agent with every optional field and reads it back byte for byte', async () => {
    // Prepare
    const agent = {
      agentId: 'laptop-1',
      status: 'active' as const,
      sealingPublicKey: new Uint8Array(32).fill(9),
      hostname: 'laptop.local',
      createdAt: 1_000,
      registeredAt: 2_000,
    };

    // Act
    await agents.put(agent);

    // Assess
    expect(await agents.get('laptop-1')).toEqual(agent);
  });

  it('replaces an agent on put, dropping fields the new record lacks', async () => {
    // Prepare
    await agents.put({ agentId: 'desk-1', status: 'active', hostname: 'desk', createdAt: 1 });

    // Act
    await agents.put({ agentId: 'desk-1', status: 'revoked', createdAt: 1, revokedAt: 5 });

    // Assess
    expect(await agents.get('desk-1')).toEqual({
      agentId: 'desk-1',
      status: 'revoked',
      createdAt: 1,
      revokedAt: 5,
    });
  });

  it('answers undefined for an unknown agent', async () => {
    expect(await agents.get('nobody-here')).toBeUndefined();
  });

  it('lists every agent sorted by id', async () => {
    // Prepare
    await agents.put({ agentId: 'zeta-9', status: 'active', createdAt: 3 });
    await agents.put({ agentId: 'alpha-1', status: 'active', createdAt: 4 });

    // Act
    const ids = (await agents.list()).map((a) => a.agentId);

    // Assess
    expect(ids).toEqual([...ids].sort());
    expect(ids).toEqual(expect.arrayContaining(['alpha-1', 'zeta-9', 'laptop-1', 'desk-1']));
  });
});
