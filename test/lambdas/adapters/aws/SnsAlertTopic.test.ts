import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SnsAlertTopic, snsSubject } from '../../../../lambdas/adapters/aws/SnsAlertTopic.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:clawpulsar-budget-alerts';
const sns = mockClient(SNSClient);
afterEach(() => sns.reset());

describe('SnsAlertTopic', () => {
  it('publishes the subject, the text and the alert attributes, exactly', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const topic = new SnsAlertTopic(new SNSClient({ region: 'eu-west-1' }), TOPIC);

    await topic.publish({
      subject: 'Budget "OpenAI prod" at 81.2% of its monthly limit',
      text: 'Spent $81.20 of $100.00 (81.2%).\nWhat to do next: …',
      attributes: { budgetId: 'openai-prod', provider: 'openai', kind: 'threshold', alertId: 'alrt_x' },
    });

    expect(sns.commandCalls(PublishCommand).map((call) => call.args[0].input)).toEqual([
      {
        TopicArn: TOPIC,
        Subject: 'Budget "OpenAI prod" at 81.2% of its monthly limit',
        Message: 'Spent $81.20 of $100.00 (81.2%).\nWhat to do next: …',
        MessageAttributes: {
          budgetId: { DataType: 'String', StringValue: 'openai-prod' },
          provider: { DataType: 'String', StringValue: 'openai' },
          kind: { DataType: 'String', StringValue: 'threshold' },
          alertId: { DataType: 'String', StringValue: 'alrt_x' },
        },
      },
    ]);
  });

  it('passes an SNS failure on', async () => {
    sns.on(PublishCommand).rejects(new Error('AuthorizationError'));
    const topic = new SnsAlertTopic(new SNSClient({ region: 'eu-west-1' }), TOPIC);

    await expect(topic.publish({ subject: 's', text: 't', attributes: {} })).rejects.toThrow(
      'AuthorizationError',
    );
  });
});

describe('snsSubject', () => {
  it.each([
    ['Budget "Prod €" at 81.2%', 'Budget "Prod ?" at 81.2%'],
    ['line\nbreak', 'line?break'],
    ['', 'ClawPulsar budget alert'],
    ['x'.repeat(150), `${'x'.repeat(96)}...`],
  ])('makes %j a valid subject', (input, expected) => {
    expect(snsSubject(input)).toBe(expected);
    expect(snsSubject(input).length).toBeLessThan(100);
  });
});
