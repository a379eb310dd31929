import type { StoredSource } from '../ports.ts';

/** A source as the management API shows it: never its secrets, only their fingerprints. */
export interface SourceView {
  readonly agentId: string;
  readonly sourceId: string;
  readonly provider: string;
  readonly webhookUrl: string;
  readonly secretFingerprints: readonly string[];
  readonly hasVerifyToken: boolean;
  readonly options: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The public view of a stored source. */
export function toSourceView(source: StoredSource, webhookBaseUrl: string): SourceView {
  return {
    agentId: source.agentId,
    sourceId: source.sourceId,
    provider: source.provider,
    webhookUrl: `${webhookBaseUrl}/${source.agentId}/${source.sourceId}`,
    secretFingerprints: source.secretFingerprints,
    hasVerifyToken: source.hasVerifyToken,
    options: source.options,
    createdAt: source.createdAt,
    updatedAt: source.updatedAt,
  };
}
