import * as z from 'zod';
import { isValidId } from '../../core/ids.ts';

/**
 * What the ack and CSR topic rules pass to their Lambdas (SQL version 2016-03-23):
 *
 *   SELECT encode(*, 'base64') AS payloadBase64, clientid() AS clientId, topic(2) AS topicAgentId,
 *          timestamp() AS receivedAt FROM 'clawpulsar/+/acks'   (resp. 'clawpulsar/+/cert/csr')
 *
 * `clientId` is the broker's record of the authenticated connection and `topicAgentId` the topic's agent
 * segment; the IoT policy pins both to the certificate's thing, and the handlers still require them to
 * agree. The payload goes through as base64 bytes, so the core parses exactly what the agent sent.
 */
export const iotRuleEventSchema = z.object({
  payloadBase64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
  clientId: z.string(),
  topicAgentId: z.string(),
  receivedAt: z.number().int().optional(),
});

/** An agent message from a topic rule, its sender established by the broker. */
export interface AgentMessage {
  readonly agentId: string;
  readonly payload: Buffer;
}

/**
 * Reads a topic rule event; `{ rejected: reason }` when it is malformed or the connection's client
 * id and the topic disagree — such a message is dropped, never attributed to either agent.
 */
export function readAgentMessage(event: unknown): AgentMessage | { readonly rejected: string } {
  const parsed = iotRuleEventSchema.safeParse(event);
  if (!parsed.success) return { rejected: 'malformed_rule_event' };
  const { clientId, topicAgentId, payloadBase64 } = parsed.data;
  if (!isValidId(clientId)) return { rejected: 'foreign_client' };
  if (clientId !== topicAgentId) return { rejected: 'topic_mismatch' };
  return { agentId: clientId, payload: Buffer.from(payloadBase64, 'base64') };
}
