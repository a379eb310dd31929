import { agentPublishTopics, agentSubscribeTopics, TOPIC_ROOT, topicsFor } from '../core/delivery/topics.ts';

/**
 * What one agent's connection may touch, computed once per connection so the per-message checks are a
 * few string compares. Exact names only: no filter with `+` or `#` can equal one of them, so wildcard
 * subscriptions are refused by construction (invariant 2).
 *
 * @example
 * const grants = new AgentTopicGrants('laptop');
 * grants.maySubscribe('clawpulsar/laptop/deliveries'); // true
 * grants.maySubscribe('clawpulsar/+/deliveries'); // false
 */
export class AgentTopicGrants {
  readonly agentId: string;
  /** `clawpulsar/<agentId>/`: every message forwarded to this agent starts with it. */
  readonly prefix: string;
  /** Where the edge publishes sealed envelopes to the agent. */
  readonly deliveries: string;
  /** Where the agent publishes acks. */
  readonly acks: string;
  /** Where the agent publishes certificate requests. */
  readonly csr: string;
  readonly #subscribe: readonly string[];
  readonly #publish: readonly string[];

  constructor(agentId: string) {
    this.agentId = agentId;
    this.prefix = `${TOPIC_ROOT}/${agentId}/`;
    const topics = topicsFor(agentId);
    this.deliveries = topics.deliveries;
    this.acks = topics.acks;
    this.csr = topics.csr;
    this.#subscribe = agentSubscribeTopics(agentId);
    this.#publish = agentPublishTopics(agentId);
  }

  /** Whether the agent may subscribe to exactly `filter`. */
  maySubscribe(filter: string): boolean {
    return this.#subscribe.includes(filter);
  }

  /** Whether the agent may publish to `topic` (its own acks and certificate requests). */
  mayPublish(topic: string): boolean {
    return this.#publish.includes(topic);
  }

  /** Whether a message on `topic` may be forwarded to this agent. */
  mayReceive(topic: string): boolean {
    return topic.startsWith(this.prefix);
  }
}
