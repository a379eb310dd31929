import type {
  AgentRepository,
  Clock,
  IngressSource,
  KeyCustody,
  SourceDirectory,
  SourceRepository,
} from '../ports.ts';
import type { GenericHmacDefinition, ProviderId } from '../signatures/types.ts';
import { decryptSourceSecrets } from './sourceSecrets.ts';

const NEGATIVE_TTL_MS = 2_000;

export interface SourceDirectoryDeps {
  readonly agents: AgentRepository;
  readonly sources: SourceRepository;
  readonly custody: KeyCustody;
  readonly clock: Clock;
  /**
   * How long decrypted secrets stay in memory (default 60 s). A rotated or deleted secret takes effect
   * within this time; locally `invalidate` makes it immediate.
   */
  readonly cacheTtlMs?: number;
}

export interface CachedSourceDirectory extends SourceDirectory {
  /** Forgets cached secrets of one source (after an edit) or of all sources. */
  invalidate(agentId?: string, sourceId?: string): void;
}

/**
 * The ingress's view of sources, shared by both runtimes: the agent must be active and registered,
 * the secrets are decrypted in memory only and cached briefly so KMS isn't called per webhook.
 *
 * @example
 * const directory = createSourceDirectory({ agents, sources, custody, clock });
 * const source = await directory.getIngressSource('laptop', 'github');
 */
export function createSourceDirectory(deps: SourceDirectoryDeps): CachedSourceDirectory {
  const ttl = deps.cacheTtlMs ?? 60_000;
  const cache = new Map<string, { value: IngressSource | undefined; until: number }>();
  const key = (agentId: string, sourceId: string) => `${agentId}/${sourceId}`;

  return {
    async getIngressSource(agentId, sourceId) {
      const now = deps.clock.now();
      const hit = cache.get(key(agentId, sourceId));
      if (hit && hit.until > now) return hit.value;
      const value = await load(agentId, sourceId);
      // Misses are kept only briefly: an agent that registers a moment later must start receiving.
      cache.set(key(agentId, sourceId), {
        value,
        until: now + (value ? ttl : Math.min(ttl, NEGATIVE_TTL_MS)),
      });
      return value;
    },
    invalidate(agentId, sourceId) {
      if (agentId === undefined) cache.clear();
      else if (sourceId !== undefined) cache.delete(key(agentId, sourceId));
      else for (const k of cache.keys()) if (k.startsWith(`${agentId}/`)) cache.delete(k);
    },
  };

  async function load(agentId: string, sourceId: string): Promise<IngressSource | undefined> {
    const [agent, stored] = await Promise.all([
      deps.agents.get(agentId),
      deps.sources.get(agentId, sourceId),
    ]);
    if (agent?.status !== 'active' || !agent.sealingPublicKey || !stored) return undefined;
    const secrets = await decryptSourceSecrets(deps.custody, agentId, sourceId, stored.secretsCiphertext);
    const options = stored.options as { generic?: GenericHmacDefinition; toleranceSeconds?: number };
    return {
      agentId,
      sourceId,
      sealingPublicKey: agent.sealingPublicKey,
      verification: {
        provider: stored.provider as ProviderId,
        secrets: secrets.secrets,
        ...(secrets.verifyToken !== undefined ? { verifyToken: secrets.verifyToken } : {}),
        ...(options.generic ? { generic: options.generic } : {}),
        ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
      },
    };
  }
}
