import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  consumeRegistrationToken,
  createRegistrationToken,
  hashRegistrationToken,
} from '../../../../lambdas/core/identity/registrationToken.ts';
import { MemoryRegistrationTokenStore } from './support/MemoryRegistrationTokenStore.ts';

const MINUTE = 60 * 1000;
const NOW = Date.UTC(2026, 0, 1);

describe('registration tokens', () => {
  it('creates a prefixed 32-byte base64url token and stores only its SHA-256', async () => {
    // Prepare
    const store = new MemoryRegistrationTokenStore();

    // Act
    const created = await createRegistrationToken({ agentId: 'laptop-1', store, now: NOW });

    // Assess
    expect(created.token).toMatch(/^cpreg_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.token.slice(6), 'base64url')).toHaveLength(32);
    expect(created.tokenHash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect([...store.records.keys()]).toEqual([created.tokenHash]);
    expect(store.records.get(created.tokenHash)).toEqual({
      agentId: 'laptop-1',
      createdAt: NOW,
      expiresAt: NOW + 15 * MINUTE,
    });
    expect(JSON.stringify([...store.records])).not.toContain(created.token.slice(6));
  });

  it('makes a different token every time', async () => {
    // Prepare
    const store = new MemoryRegistrationTokenStore();

    // Act
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () => createRegistrationToken({ agentId: 'laptop-1', store, now: NOW })),
    );

    // Assess
    expect(new Set(tokens.map((t) => t.token)).size).toBe(50);
    expect(store.records.size).toBe(50);
  });

  it('grants the agent id exactly once', async () => {
    // Prepare
    const store = new MemoryRegistrationTokenStore();
    const { token } = await createRegistrationToken({ agentId: 'laptop-1', store, now: NOW });

    // Act
    const first = await consumeRegistrationToken({ token, store, now: NOW + MINUTE });
    const second = consumeRegistrationToken({ token, store, now: NOW + MINUTE });

    // Assess
    expect(first.agentId).toBe('laptop-1');
    await expect(second).rejects.toMatchObject({ code: 'registration_token_invalid', status: 401 });
  });

  it('lets only one of two concurrent uses succeed', async () => {
    // Prepare
    const store = new MemoryRegistrationTokenStore();
    const { token } = await createRegistrationToken({ agentId: 'laptop-1', store, now: NOW });

    // Act
    const results = await Promise.allSettled([
      consumeRegistrationToken({ token, store, now: NOW }),
      consumeRegistrationToken({ token, store, now: NOW }),
    ]);

    // Assess
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('expires after its TTL, with the same answer as an unknown token', async () => {
    // Prepare
    const store = new MemoryRegistrationTokenStore();
    const { token, expiresAt } = await createRegistrationToken({
      agentId: 'laptop-1',
      store,
      now: NOW,
      ttlMs: 5 * MINUTE,
    });

    // Act
    const late = consumeRegistrationToken({ token, store, now: expiresAt });
    const unknown = consumeRegistrationToken({ token: `cpreg_${'A'.repeat(43)}`, store, now: NOW });

    // Assess
    expect(expiresAt).toBe(NOW + 5 * MINUTE);
    const lateError = await late.catch((error: unknown) => error);
    const unknownError = await unknown.catch((error: unknown) => error);
    expect(lateError).toMatchObject({ code: 'registration_token_invalid', status: 401 });
    expect(unknownError).toMatchObject({
      code: 'registration_token_invalid',
      message: (lateError as Error).message,
    });
  });

  it('does not trust a store that hands back an expired record', async () => {
    // Prepare
    const lax = {
      put: async () => {},
      consume: async () => ({ agentId: 'laptop-1', createdAt: NOW - 20 * MINUTE, expiresAt: NOW - MINUTE }),
    };

    // Act + Assess
    await expect(
      consumeRegistrationToken({ token: `cpreg_${'A'.repeat(43)}`, store: lax, now: NOW }),
    ).rejects.toMatchObject({
      code: 'registration_token_invalid',
    });
  });

  it.each([
    ['empty', ''],
    ['without the prefix', 'A'.repeat(43)],
    ['too short', `cpreg_${'A'.repeat(42)}`],
    ['too long', `cpreg_${'A'.repeat(44)}`],
    ['with standard base64 characters', `cpreg_${'A'.repeat(42)}+`],
    ['with a trailing newline', `cpreg_${'A'.repeat(43)}\n`],
  ])('refuses a token that is %s without asking the store', async (_label, token) => {
    // Prepare
    const store = new MemoryRegistrationTokenStore();
    let asked = false;
    store.consume = async () => {
      asked = true;
      return undefined;
    };

    // Act + Assess
    await expect(consumeRegistrationToken({ token, store, now: NOW })).rejects.toMatchObject({
      code: 'registration_token_invalid',
    });
    expect(asked).toBe(false);
  });

  it.each([
    ['under a minute', 59_999],
    ['over 24 hours', 24 * 60 * MINUTE + 1],
    ['not whole', 5 * MINUTE + 0.5],
  ])('refuses a TTL that is %s', async (_label, ttlMs) => {
    const store = new MemoryRegistrationTokenStore();
    await expect(
      createRegistrationToken({ agentId: 'laptop-1', store, now: NOW, ttlMs }),
    ).rejects.toMatchObject({
      code: 'registration_token_ttl_invalid',
      status: 400,
    });
    expect(store.records.size).toBe(0);
  });

  it('accepts the longest TTL of 24 hours', async () => {
    const created = await createRegistrationToken({
      agentId: 'laptop-1',
      store: new MemoryRegistrationTokenStore(),
      now: NOW,
      ttlMs: 24 * 60 * MINUTE,
    });
    expect(created.expiresAt).toBe(NOW + 24 * 60 * MINUTE);
  });

  it('refuses an invalid agent id', async () => {
    await expect(
      createRegistrationToken({ agentId: 'agent/#', store: new MemoryRegistrationTokenStore(), now: NOW }),
    ).rejects.toMatchObject({ code: 'agent_id_invalid' });
  });

  it('hashes the token string as SHA-256 hex', () => {
    expect(hashRegistrationToken('cpreg_abc')).toBe(
      createHash('sha256').update('cpreg_abc', 'utf8').digest('hex'),
    );
  });
});
