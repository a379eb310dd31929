import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface OperationsConstructProps {
  readonly dataKey: kms.IKey;
  /** Subscribed to the alerts topic by email when set (the address confirms the subscription). */
  readonly alertEmail?: string;
}

/**
 * What operators are told and what is kept for them to look at: the alerts topic (encrypted, TLS-only
 * publishing, optionally emailed) that alarms publish to, and the dead-letter queue of the
 * asynchronously invoked functions (IoT rules and schedules), whose events would otherwise be dropped
 * after Lambda's two retries. Those events carry metadata and public material only (acks, CSRs, presence
 * events), never webhook content.
 */
export class OperationsConstruct extends Construct {
  readonly alertsTopic: sns.Topic;
  readonly asyncFailureQueue: sqs.Queue;
  readonly #alarmAction: actions.SnsAction;

  constructor(scope: Construct, id: string, props: OperationsConstructProps) {
    super(scope, id);

    this.alertsTopic = new sns.Topic(this, 'AlertsTopic', {
      displayName: 'ClawPulsar alerts',
      masterKey: props.dataKey,
      enforceSSL: true,
    });
    if (props.alertEmail) {
      const subscription = new subscriptions.EmailSubscription(props.alertEmail);
      this.alertsTopic.addSubscription(subscription);
      const reason =
        'Email subscriptions have no SQS redrive target worth reading: SNS retries email delivery itself and ' +
        'failed deliveries show in the topic\u2019s NumberOfNotificationsFailed metric.';
      for (const child of this.alertsTopic.node.children) {
        if (child instanceof sns.Subscription) {
          Validations.of(child).acknowledge({ id: 'Serverless-SNSRedrivePolicy', reason });
        }
      }
    }
    this.#alarmAction = new actions.SnsAction(this.alertsTopic);

    this.asyncFailureQueue = new sqs.Queue(this, 'AsyncFailureQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.dataKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.asyncFailureQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself the dead-letter queue of the asynchronously invoked functions; its messages are ' +
        'kept 14 days for an operator and raise the AsyncFailures alarm.',
    });
    this.alarm(
      'AsyncFailures',
      this.asyncFailureQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      'An IoT rule or scheduled function failed after its retries; the event is in the async failure queue.',
    );
  }

  /** An alarm that notifies the alerts topic when `metric` reaches `threshold` (default 1) in a period. */
  alarm(id: string, metric: cloudwatch.IMetric, description: string, threshold = 1): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.#alarmAction);
    return alarm;
  }
}
