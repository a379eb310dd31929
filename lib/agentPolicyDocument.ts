import { agentPublishTopics, agentSubscribeTopics } from '../lambdas/core/delivery/topics.ts';
import { iotArn } from './permissions.ts';

/** IoT policy variable: the thing (= agent id) attached to the certificate of the connection. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable that IoT Core substitutes
export const THING_NAME = '${iot:Connection.Thing.ThingName}';

/**
 * The IoT policy every agent certificate is attached to. IoT substitutes the thing attached to the
 * connection's certificate, so one policy confines each agent to its own client id (= thing name =
 * agent id) and its own topics; a certificate with no attached thing can't connect at all.
 */
export function agentPolicyDocument(): Record<string, unknown> {
  const attached = { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } };
  const publish = agentPublishTopics(THING_NAME);
  const subscribe = agentSubscribeTopics(THING_NAME);
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ConnectAsOwnThing',
        Effect: 'Allow',
        Action: 'iot:Connect',
        Resource: iotArn(`client/${THING_NAME}`),
        Condition: attached,
      },
      {
        Sid: 'PublishAcksAndCsrs',
        Effect: 'Allow',
        Action: 'iot:Publish',
        Resource: publish.map((topic) => iotArn(`topic/${topic}`)),
        Condition: attached,
      },
      {
        Sid: 'SubscribeOwnTopics',
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: subscribe.map((topic) => iotArn(`topicfilter/${topic}`)),
        Condition: attached,
      },
      {
        Sid: 'ReceiveOwnTopics',
        Effect: 'Allow',
        Action: 'iot:Receive',
        Resource: subscribe.map((topic) => iotArn(`topic/${topic}`)),
        Condition: attached,
      },
    ],
  };
}
