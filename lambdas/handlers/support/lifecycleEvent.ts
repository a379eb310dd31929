import * as z from 'zod';

/**
 * An IoT Core lifecycle event (`$aws/events/presence/connected|disconnected/{clientId}`), as a topic
 * rule `SELECT * FROM '$aws/events/presence/+/+'` passes it on. Fields per the IoT Core developer
 * guide, "Lifecycle events"; `principalIdentifier` is the certificate id for certificate connections.
 */
export const lifecycleEventSchema = z.object({
  clientId: z.string().min(1),
  timestamp: z.number().int().nonnegative(),
  eventType: z.enum(['connected', 'disconnected']),
  sessionIdentifier: z.string().min(1),
  principalIdentifier: z.string().min(1),
  versionNumber: z.number().int().optional(),
  ipAddress: z.string().optional(),
  thingName: z.string().optional(),
  clientInitiatedDisconnect: z.boolean().optional(),
  disconnectReason: z.string().optional(),
});
export type LifecycleEvent = z.infer<typeof lifecycleEventSchema>;
