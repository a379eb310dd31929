import { createHash, randomBytes } from 'node:crypto';
import { BadRequestError, UnauthorizedError } from '../errors.ts';
import { isValidId } from '../ids.ts';
import { assertTime } from './assertTime.ts';
import type { RegistrationTokenRecord, RegistrationTokenStore } from './RegistrationTokenStore.ts';

/** Recognisable in logs and secret scanners, so a leaked token is easy to spot. */
export const REGISTRATION_TOKEN_PREFIX = 'cpreg_';

export const DEFAULT_REGISTRATION_TOKEN_TTL_MS = 15 * 60 * 1000;
export const MAX_REGISTRATION_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
const MIN_REGISTRATION_TOKEN_TTL_MS = 60 * 1000;

const TOKEN_BYTES = 32;
// 32 bytes are 43 base64url characters without padding.
const TOKEN_PATTERN = /^cpreg_[A-Za-z0-9_-]{43}$/;

export interface CreateRegistrationTokenInput {
  readonly agentId: string;
  readonly store: RegistrationTokenStore;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** Defaults to 15 minutes; at most 24 hours. */
  readonly ttlMs?: number;
}

/** A new token: shown to the operator once, then only its hash exists anywhere. */
export interface CreatedRegistrationToken {
  readonly token: string;
  readonly tokenHash: string;
  readonly expiresAt: number;
}

/**
 * Creates a one-time registration token for `agentId` (32 random bytes, base64url, `cpreg_` prefix) and
 * stores only its SHA-256. Errors (400): `agent_id_invalid`, `registration_token_ttl_invalid`.
 *
 * @example
 * const { token, expiresAt } = await createRegistrationToken({ agentId: 'laptop-1', store, now: clock.now() });
 */
export async function createRegistrationToken(
  input: CreateRegistrationTokenInput,
): Promise<CreatedRegistrationToken> {
  const { agentId, store, now } = input;
  const ttlMs = input.ttlMs ?? DEFAULT_REGISTRATION_TOKEN_TTL_MS;
  if (!isValidId(agentId)) {
    throw new BadRequestError(
      'agent_id_invalid',
      'Agent id must be 3-63 lower-case letters, digits or dashes',
    );
  }
  if (
    !Number.isSafeInteger(ttlMs) ||
    ttlMs < MIN_REGISTRATION_TOKEN_TTL_MS ||
    ttlMs > MAX_REGISTRATION_TOKEN_TTL_MS
  ) {
    throw new BadRequestError(
      'registration_token_ttl_invalid',
      'Registration tokens live between 1 minute and 24 hours',
      {
        ttlMs,
      },
    );
  }
  assertTime(now);
  const token = `${REGISTRATION_TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
  const tokenHash = hashRegistrationToken(token);
  const record: RegistrationTokenRecord = { agentId, createdAt: now, expiresAt: now + ttlMs };
  await store.put(tokenHash, record);
  return { token, tokenHash, expiresAt: record.expiresAt };
}

/**
 * Takes a registration token: succeeds once, within its lifetime, and returns what it grants. The token
 * is found by its hash, so there is no secret comparison to time. Unknown, expired and used tokens get
 * the same 401 `registration_token_invalid`, so a caller learns nothing by probing.
 *
 * @example
 * const { agentId } = await consumeRegistrationToken({ token, store, now: clock.now() });
 */
export async function consumeRegistrationToken(input: {
  readonly token: string;
  readonly store: RegistrationTokenStore;
  readonly now: number;
}): Promise<RegistrationTokenRecord> {
  const { token, store, now } = input;
  assertTime(now);
  if (!TOKEN_PATTERN.test(token)) throw invalidToken();
  const record = await store.consume(hashRegistrationToken(token), now);
  // The store checks expiry atomically; checking again costs nothing and guards a lax adapter.
  if (!record || record.expiresAt <= now) throw invalidToken();
  return record;
}

/** Lower-case hex SHA-256 of the token string: the only form a store ever sees. */
export function hashRegistrationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function invalidToken(): UnauthorizedError {
  return new UnauthorizedError(
    'registration_token_invalid',
    'Registration token is unknown, expired or already used',
  );
}
