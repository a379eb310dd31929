import { NotFoundError } from '../errors.ts';
import { encryptSourceSecrets, fingerprintSecret } from '../sources/sourceSecrets.ts';
import type { ManagementDeps } from './ManagementDeps.ts';
import { type SourceView, toSourceView } from './SourceView.ts';
import type { PutSourceInput } from './sourceSchemas.ts';

/**
 * Creates or replaces a source: the secrets are encrypted before they are stored and take effect for
 * the next webhook.
 *
 * @example
 * await putSource(deps, 'laptop', 'github', { provider: 'github', secrets: ['s3cret'] });
 */
export async function putSource(
  deps: ManagementDeps,
  agentId: string,
  sourceId: string,
  input: PutSourceInput,
): Promise<SourceView> {
  const agent = await deps.agents.get(agentId);
  if (!agent) {
    throw new NotFoundError(
      'unknown_agent',
      `No agent "${agentId}"; create it with \`clawpulsar token create\``,
    );
  }
  const now = deps.clock.now();
  const existing = await deps.sources.get(agentId, sourceId);
  const secretsCiphertext = await encryptSourceSecrets(deps.custody, agentId, sourceId, {
    secrets: input.secrets,
    ...(input.verifyToken !== undefined ? { verifyToken: input.verifyToken } : {}),
  });
  const stored = {
    agentId,
    sourceId,
    provider: input.provider,
    secretsCiphertext,
    secretFingerprints: input.secrets.map(fingerprintSecret),
    hasVerifyToken: input.verifyToken !== undefined,
    options: {
      ...(input.generic ? { generic: input.generic } : {}),
      ...(input.toleranceSeconds !== undefined ? { toleranceSeconds: input.toleranceSeconds } : {}),
    },
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  await deps.sources.put(stored);
  deps.onSourceChanged?.(agentId, sourceId);
  deps.logger.info(existing ? 'source_updated' : 'source_created', {
    agentId,
    sourceId,
    provider: input.provider,
  });
  return toSourceView(stored, deps.webhookBaseUrl);
}
