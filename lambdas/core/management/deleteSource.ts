import { NotFoundError } from '../errors.ts';
import type { ManagementDeps } from './ManagementDeps.ts';

/** Deletes a source and its encrypted secrets; its webhook URL answers 404 from then on. */
export async function deleteSource(deps: ManagementDeps, agentId: string, sourceId: string): Promise<void> {
  if (!(await deps.sources.delete(agentId, sourceId))) {
    throw new NotFoundError('unknown_source', `No source "${sourceId}" for agent "${agentId}"`);
  }
  deps.onSourceChanged?.(agentId, sourceId);
  deps.logger.info('source_deleted', { agentId, sourceId });
}
