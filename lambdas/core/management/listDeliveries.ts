import * as z from 'zod';
import { idSchema } from '../ids.ts';
import type { DeliveryLogEntry } from '../ports.ts';
import type { ManagementDeps } from './ManagementDeps.ts';

export const deliveryQuerySchema = z
  .object({
    agentId: idSchema.optional(),
    sourceId: idSchema.optional(),
    status: z.enum(['queued', 'delivered', 'failed', 'expired']).optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** The delivery log, newest first: metadata only. */
export async function listDeliveries(
  deps: ManagementDeps,
  query: z.infer<typeof deliveryQuerySchema>,
): Promise<DeliveryLogEntry[]> {
  return deps.deliveries.list(query);
}
