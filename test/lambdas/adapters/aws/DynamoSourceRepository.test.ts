import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSourceRepository } from '../../../../lambdas/adapters/aws/DynamoSourceRepository.ts';
import type { StoredSource } from '../../../../lambdas/core/ports.ts';
import { type LocalDynamo, startLocalDynamo } from '../../../support/localDynamo.ts';

function source(agentId: string, sourceId: string, at: number): StoredSource {
  return {
    agentId,
    sourceId,
    provider: 'github',
    secretsCiphertext: new Uint8Array([1, 2, 3, at % 256]),
    secretFingerprints: ['sha256:aaaaaaaa', 'sha256:bbbbbbbb'],
    hasVerifyToken: false,
    options: { toleranceSeconds: 300 },
    createdAt: at,
    updatedAt: at,
  };
}

describe('DynamoSourceRepository', () => {
  let dynamo: LocalDynamo;
  let sources: DynamoSourceRepository;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    sources = new DynamoSourceRepository(dynamo.client, dynamo.tables.sources);
  });
  afterAll(() => dynamo.close());

  it('stores a source and reads it back exactly, fingerprints in order', async () => {
    // Prepare
    const stored = source('laptop-1', 'github', 100);

    // Act
    await sources.put(stored);

    // Assess
    expect(await sources.get('laptop-1', 'github')).toEqual(stored);
  });

  it('keeps the first createdAt when a source is replaced', async () => {
    // Prepare
    await sources.put(source('laptop-1', 'stripe', 100));

    // Act
    await sources.put({ ...source('laptop-1', 'stripe', 500), secretFingerprints: ['sha256:cccccccc'] });

    // Assess
    const read = await sources.get('laptop-1', 'stripe');
    expect(read).toMatchObject({ createdAt: 100, updatedAt: 500, secretFingerprints: ['sha256:cccccccc'] });
  });

  it("lists one agent's sources, or all, sorted", async () => {
    // Prepare
    await sources.put(source('desk-1', 'slack', 1));

    // Act
    const mine = await sources.list('laptop-1');
    const all = await sources.list();

    // Assess
    expect(mine.map((s) => s.sourceId)).toEqual(['github', 'stripe']);
    expect(all.map((s) => `${s.agentId}/${s.sourceId}`)).toEqual([
      'desk-1/slack',
      'laptop-1/github',
      'laptop-1/stripe',
    ]);
  });

  it('deletes a source and says whether there was one', async () => {
    // Act
    const first = await sources.delete('desk-1', 'slack');
    const second = await sources.delete('desk-1', 'slack');

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await sources.get('desk-1', 'slack')).toBeUndefined();
  });
});
