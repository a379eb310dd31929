import type { ManagementDeps } from './ManagementDeps.ts';
import { type SourceView, toSourceView } from './SourceView.ts';

/** Sources (of one agent, or all), secrets shown only as fingerprints. */
export async function listSources(deps: ManagementDeps, agentId?: string): Promise<SourceView[]> {
  const sources = await deps.sources.list(agentId);
  return sources.map((s) => toSourceView(s, deps.webhookBaseUrl));
}
