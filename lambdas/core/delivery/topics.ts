import { isValidId } from '../ids.ts';

/**
 * Per-agent MQTT topics. The broker's authorisation (local) and the IoT policy (AWS) confine each agent
 * to `clawpulsar/{its own id}/…`: it subscribes to what the edge sends it and publishes only acks and CSRs.
 */
export const TOPIC_ROOT = 'clawpulsar';

export interface AgentTopics {
  /** Edge → agent: sealed envelopes, in chunks. */
  readonly deliveries: string;
  /** Agent → edge: delivery outcomes. */
  readonly acks: string;
  /** Edge → agent: budget alerts. */
  readonly alerts: string;
  /** Edge → agent: control messages (revoked, flush). */
  readonly control: string;
  /** Agent → edge: certificate renewal requests. */
  readonly csr: string;
  /** Edge → agent: renewed certificates. */
  readonly issued: string;
}

/**
 * The topics of one agent.
 *
 * @example
 * topicsFor('laptop').acks; // 'clawpulsar/laptop/acks'
 */
export function topicsFor(agentId: string): AgentTopics {
  const base = `${TOPIC_ROOT}/${agentId}`;
  return {
    deliveries: `${base}/deliveries`,
    acks: `${base}/acks`,
    alerts: `${base}/alerts`,
    control: `${base}/control`,
    csr: `${base}/cert/csr`,
    issued: `${base}/cert/issued`,
  };
}

/** Topics an agent may publish to. */
export function agentPublishTopics(agentId: string): readonly string[] {
  const t = topicsFor(agentId);
  return [t.acks, t.csr];
}

/** Topics an agent may subscribe to. */
export function agentSubscribeTopics(agentId: string): readonly string[] {
  const t = topicsFor(agentId);
  return [t.deliveries, t.alerts, t.control, t.issued];
}

/**
 * The agent id a topic belongs to, or undefined when it is not a ClawPulsar agent topic. An empty level,
 * a wildcard (`+`, `#`) or anything else that is not a well-formed id names no agent.
 */
export function agentIdOfTopic(topic: string): string | undefined {
  const parts = topic.split('/');
  const agentId = parts[1];
  return parts.length >= 3 && parts[0] === TOPIC_ROOT && agentId !== undefined && isValidId(agentId)
    ? agentId
    : undefined;
}
