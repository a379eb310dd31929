import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agentPublishTopics,
  agentSubscribeTopics,
  topicsFor,
} from '../../../lambdas/core/delivery/topics.ts';
import { AgentTopicGrants } from '../../../lambdas/edge/AgentTopicGrants.ts';

const own = topicsFor('laptop');
const other = topicsFor('desktop');

describe('AgentTopicGrants', () => {
  it('lets an agent subscribe to exactly its deliveries, alerts, control and cert/issued topics', () => {
    // Prepare
    const grants = new AgentTopicGrants('laptop');
    // Act + Assess
    for (const topic of agentSubscribeTopics('laptop')) expect(grants.maySubscribe(topic)).toBe(true);
    for (const topic of [own.acks, own.csr]) expect(grants.maySubscribe(topic)).toBe(false);
  });

  it.each([
    '#',
    '+',
    '+/+/+',
    'clawpulsar/#',
    'clawpulsar/+/deliveries',
    'clawpulsar/laptop/#',
    'clawpulsar/laptop/+',
    'clawpulsar/laptop/cert/+',
    other.deliveries,
    other.alerts,
    other.control,
    other.issued,
    '$SYS/#',
    `${own.deliveries}/`,
    `/${own.deliveries}`,
    'Clawpulsar/laptop/deliveries',
    '',
  ])('refuses the subscription %j', (filter) => {
    expect(new AgentTopicGrants('laptop').maySubscribe(filter)).toBe(false);
  });

  it('lets an agent publish only to its own acks and cert/csr topics', () => {
    // Prepare
    const grants = new AgentTopicGrants('laptop');
    // Act + Assess
    for (const topic of agentPublishTopics('laptop')) expect(grants.mayPublish(topic)).toBe(true);
    for (const topic of [
      other.acks,
      other.csr,
      own.deliveries,
      own.alerts,
      own.control,
      own.issued,
      '$SYS/broker/heartbeat',
      'clawpulsar/laptop',
      `${own.acks}/more`,
    ]) {
      expect(grants.mayPublish(topic)).toBe(false);
    }
  });

  it('never grants one agent a topic of another, for any pair of distinct ids', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,20}$/),
        fc.stringMatching(/^[a-z0-9][a-z0-9-]{2,20}$/),
        (a, b) => {
          fc.pre(a !== b);
          const grants = new AgentTopicGrants(a);
          const foreign = Object.values(topicsFor(b));
          expect(
            foreign.some((t) => grants.maySubscribe(t) || grants.mayPublish(t) || grants.mayReceive(t)),
          ).toBe(false);
        },
      ),
    );
  });

  it('forwards only messages under the agent’s own prefix', () => {
    // Prepare
    const grants = new AgentTopicGrants('lap');
    // Act + Assess
    expect(grants.mayReceive('clawpulsar/lap/deliveries')).toBe(true);
    expect(grants.mayReceive('clawpulsar/laptop/deliveries')).toBe(false);
    expect(grants.mayReceive('$SYS/x/heartbeat')).toBe(false);
  });
});
