import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertTopic } from '../../core/monitor/ports.ts';

/** SNS: a subject is ASCII without line breaks or control characters, under 100 characters. */
const SUBJECT_MAX = 99;

/**
 * SNS subjects allow printable ASCII only, shorter than 100 characters: anything else is replaced, and a
 * long subject is cut with "...".
 *
 * @example
 * snsSubject('Budget "Prod €" at 81.2% of its monthly limit'); // 'Budget "Prod ?" at 81.2% of its monthly limit'
 */
export function snsSubject(subject: string): string {
  const ascii = subject.replace(/[^\x20-\x7e]/g, '?').trim() || 'ClawPulsar budget alert';
  return ascii.length > SUBJECT_MAX ? `${ascii.slice(0, SUBJECT_MAX - 3)}...` : ascii;
}

/**
 * The budget alerts topic (email and SMS subscribers) on SNS. Message attributes carry the budget and
 * provider, so a subscription's filter policy can pick the budgets it cares about.
 *
 * @example
 * const topic = new SnsAlertTopic(new SNSClient({}), env.BUDGET_ALERTS_TOPIC_ARN);
 */
export class SnsAlertTopic implements AlertTopic {
  readonly #client: SNSClient;
  readonly #topicArn: string;

  constructor(client: SNSClient, topicArn: string) {
    this.#client = client;
    this.#topicArn = topicArn;
  }

  async publish(message: Parameters<AlertTopic['publish']>[0]): Promise<void> {
    await this.#client.send(
      new PublishCommand({
        TopicArn: this.#topicArn,
        Subject: snsSubject(message.subject),
        Message: message.text,
        MessageAttributes: Object.fromEntries(
          Object.entries(message.attributes).map(([name, value]) => [
            name,
            { DataType: 'String', StringValue: value },
          ]),
        ),
      }),
    );
  }
}
