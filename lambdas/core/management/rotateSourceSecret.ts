import { NotFoundError } from '../errors.ts';
import type { GenericHmacDefinition, ProviderId } from '../signatures/types.ts';
import { decryptSourceSecrets } from '../sources/sourceSecrets.ts';
import type { ManagementDeps } from './ManagementDeps.ts';
import { putSource } from './putSource.ts';
import type { SourceView } from './SourceView.ts';

/** At most this many secrets are valid at once (the newest first). */
const MAX_SECRETS = 5;

/**
 * Puts a new secret in front; with `keepPrevious` the older ones stay valid until the provider has
 * switched over (zero-downtime rotation), without it the new secret replaces them at once.
 */
export async function rotateSourceSecret(
  deps: ManagementDeps,
  agentId: string,
  sourceId: string,
  secret: string,
  keepPrevious: boolean,
): Promise<SourceView> {
  const stored = await deps.sources.get(agentId, sourceId);
  if (!stored) throw new NotFoundError('unknown_source', `No source "${sourceId}" for agent "${agentId}"`);
  const current = await decryptSourceSecrets(deps.custody, agentId, sourceId, stored.secretsCiphertext);
  const secrets = keepPrevious ? [secret, ...current.secrets.filter((s) => s !== secret)] : [secret];
  const options = stored.options as { generic?: GenericHmacDefinition; toleranceSeconds?: number };
  return putSource(deps, agentId, sourceId, {
    provider: stored.provider as ProviderId,
    secrets: secrets.slice(0, MAX_SECRETS),
    ...(current.verifyToken !== undefined ? { verifyToken: current.verifyToken } : {}),
    ...(options.generic ? { generic: options.generic } : {}),
    ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
  });
}
