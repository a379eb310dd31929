import * as z from 'zod';
import { ConflictError } from '../errors.ts';
import { createRegistrationToken } from '../identity/registrationToken.ts';
import { idSchema } from '../ids.ts';
import type { ManagementDeps } from './ManagementDeps.ts';

export const createTokenSchema = z
  .object({
    agentId: idSchema,
    /** Minutes the token stays valid: 1 to 1440, default 15. */
    ttlMinutes: z.number().int().min(1).max(1440).default(15),
  })
  .strict();

export interface CreatedToken {
  readonly agentId: string;
  /** Shown once; only its hash is stored. */
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Creates a one-time registration token for an agent id, creating the agent (pending until it
 * registers) so sources can be added before the agent's machine is set up. A revoked agent stays
 * revoked: enrol the machine under a new id.
 *
 * @example
 * const { token } = await createAgentToken(deps, { agentId: 'laptop', ttlMinutes: 15 });
 */
export async function createAgentToken(
  deps: ManagementDeps,
  input: z.infer<typeof createTokenSchema>,
): Promise<CreatedToken> {
  const existing = await deps.agents.get(input.agentId);
  if (existing?.status === 'revoked') {
    throw new ConflictError('agent_revoked', `Agent "${input.agentId}" was revoked; register under a new id`);
  }
  const now = deps.clock.now();
  if (!existing) await deps.agents.put({ agentId: input.agentId, status: 'active', createdAt: now });
  const created = await createRegistrationToken({
    agentId: input.agentId,
    store: deps.tokens,
    now,
    ttlMs: input.ttlMinutes * 60_000,
  });
  deps.logger.info('registration_token_created', { agentId: input.agentId, expiresAt: created.expiresAt });
  return { agentId: input.agentId, token: created.token, expiresAt: created.expiresAt };
}
