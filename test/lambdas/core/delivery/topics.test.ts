import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agentIdOfTopic,
  agentPublishTopics,
  agentSubscribeTopics,
  TOPIC_ROOT,
  topicsFor,
} from '../../../../lambdas/core/delivery/topics.ts';
import { ID_PATTERN } from '../../../../lambdas/core/ids.ts';

const anyAgentId = fc.stringMatching(ID_PATTERN);

describe('topicsFor', () => {
  it("names an agent's six topics under clawpulsar/{agentId}/", () => {
    // Act
    const topics = topicsFor('laptop');

    // Assess
    expect(TOPIC_ROOT).toBe('clawpulsar');
    expect(topics).toEqual({
      deliveries: 'clawpulsar/laptop/deliveries',
      acks: 'clawpulsar/laptop/acks',
      alerts: 'clawpulsar/laptop/alerts',
      control: 'clawpulsar/laptop/control',
      csr: 'clawpulsar/laptop/cert/csr',
      issued: 'clawpulsar/laptop/cert/issued',
    });
  });

  it('gives no two agents a topic in common', () => {
    fc.assert(
      fc.property(anyAgentId, anyAgentId, (a, b) => {
        fc.pre(a !== b);
        const mine = new Set(Object.values(topicsFor(a)));
        expect(Object.values(topicsFor(b)).filter((topic) => mine.has(topic))).toEqual([]);
      }),
    );
  });
});

describe('agentPublishTopics and agentSubscribeTopics', () => {
  it('let an agent publish only its acks and certificate requests', () => {
    expect(agentPublishTopics('laptop')).toEqual(['clawpulsar/laptop/acks', 'clawpulsar/laptop/cert/csr']);
  });

  it('let an agent subscribe only to what the edge sends it', () => {
    expect(agentSubscribeTopics('laptop')).toEqual([
      'clawpulsar/laptop/deliveries',
      'clawpulsar/laptop/alerts',
      'clawpulsar/laptop/control',
      'clawpulsar/laptop/cert/issued',
    ]);
  });

  it('split the six topics between them with no overlap and no wildcard', () => {
    // Act
    const publish = agentPublishTopics('laptop');
    const subscribe = agentSubscribeTopics('laptop');

    // Assess
    expect(publish.filter((topic) => subscribe.includes(topic))).toEqual([]);
    expect([...publish, ...subscribe].sort()).toEqual(Object.values(topicsFor('laptop')).sort());
    expect([...publish, ...subscribe].join()).not.toMatch(/[+#]/);
  });
});

describe('agentIdOfTopic', () => {
  it('reads back the agent of each of its topics', () => {
    fc.assert(
      fc.property(anyAgentId, (agentId) => {
        for (const topic of Object.values(topicsFor(agentId))) expect(agentIdOfTopic(topic)).toBe(agentId);
      }),
    );
  });

  it.each([
    ['an empty topic', ''],
    ['the root alone', 'clawpulsar'],
    ['an agent without a topic', 'clawpulsar/laptop'],
    ['another root', 'other/laptop/acks'],
    ['the root in another case', 'ClawPulsar/laptop/acks'],
    ['an AWS reserved topic', '$aws/events/presence/connected/laptop'],
    ['a leading slash', '/clawpulsar/laptop/acks'],
    ['an empty agent id', 'clawpulsar//acks'],
    ['a single-level wildcard for the agent', 'clawpulsar/+/acks'],
    ['a multi-level wildcard for the agent', 'clawpulsar/#/acks'],
    ['an agent id that is not one', 'clawpulsar/Laptop/acks'],
  ])('finds no agent in %s', (_name, topic) => {
    expect(agentIdOfTopic(topic)).toBeUndefined();
  });
});
