import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUDGET_TABLES, type BudgetTableName } from '../../lambdas/adapters/aws/budgetTableDefinitions.ts';
import { ALERT_WEBHOOK_PURPOSE } from '../../lambdas/core/alerts/alertWebhookTarget.ts';
import { PROVIDER_KEY_PURPOSE } from '../../lambdas/core/keys/providerKeySecret.ts';
import { budgetPollerEnv, budgetWorkerEnv } from '../../lambdas/handlers/env.ts';
import {
  iotArn,
  queueConsumerAccess,
  queueKeyStatement,
  secretsKeyStatement,
  tableAccess,
} from '../permissions.ts';
import { connectQueueConsumer } from './connectQueueConsumer.ts';
import { type FunctionSettings, HandlerFunction } from './HandlerFunction.ts';
import type { OperationsConstruct } from './OperationsConstruct.ts';
import { buildTable } from './StorageConstruct.ts';

/** Workers polling at once: 100 messages of 10 keys at a few seconds each finish well within a minute. */
export const BUDGET_WORKER_MAX_CONCURRENCY = 20;
const WORKER_TIMEOUT_SECONDS = 60;

export interface BudgetsConstructProps {
  readonly settings: FunctionSettings;
  /** Agents to notify are looked up here. */
  readonly agentsTable: dynamodb.ITable;
  readonly operations: OperationsConstruct;
  /** Email and SMS subscribers of budget alerts: the deployment's alerts topic. */
  readonly alertsTopic: sns.ITopic;
  readonly iotEndpoint: string;
  /** Minutes between polls (context value `budgetPollMinutes`, default 5). */
  readonly pollMinutes: number;
  /** The management function, which then also serves keys, budgets and history. */
  readonly management?: HandlerFunction;
}

/**
 * The budget monitor: its tables (none with point-in-time recovery: a deleted provider key, webhook
 * target or history row is gone, with no backup to restore it from), an EventBridge Scheduler schedule
 * that invokes the poller every few minutes, the poller that fans key ids out to an SQS queue in messages
 * of ten, and the workers that poll providers, evaluate budgets and alert — agents over IoT Core, people
 * over SNS, receivers over signed webhooks.
 *
 * Only the workers can decrypt a provider key, and only under the key vault's encryption context
 * (`kms:EncryptionContext:purpose` = `provider-key`); the management function can encrypt one but never
 * decrypt it; the poller can read key ids and nothing else of the keys table.
 */
export class BudgetsConstruct extends Construct {
  readonly tables: Readonly<Record<BudgetTableName, dynamodb.Table>>;
  readonly pollQueue: sqs.Queue;
  readonly poller: HandlerFunction;
  readonly worker: HandlerFunction;
  readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: BudgetsConstructProps) {
    super(scope, id);
    const { settings } = props;
    const dataKey = settings.keys.dataKey;

    const tables = {} as Record<BudgetTableName, dynamodb.Table>;
    for (const name of Object.keys(BUDGET_TABLES) as BudgetTableName[]) {
      const definition = BUDGET_TABLES[name];
      tables[name] = buildTable(this, `${name[0]?.toUpperCase()}${name.slice(1)}Table`, definition, dataKey, {
        pointInTimeRecovery: definition.pointInTimeRecovery,
        reason: definition.recoveryReason,
      });
    }
    this.tables = tables;

    this.pollQueue = new sqs.Queue(this, 'PollQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: dataKey,
      enforceSSL: true,
      // SQS's advice for a Lambda event source: visibility at least six times the function timeout.
      visibilityTimeout: Duration.seconds(6 * WORKER_TIMEOUT_SECONDS),
      // A poll older than an hour is worth nothing: the schedule has sent fresher ones since.
      retentionPeriod: Duration.hours(1),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const noDlq =
      'Poll messages hold key ids only and are re-created by the next scheduled run minutes later; a message ' +
      'that keeps failing expires after an hour, and the worker error alarm reports the failures.';
    Validations.of(this.pollQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: noDlq });
    Validations.of(this.pollQueue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: noDlq });

    this.poller = new HandlerFunction(this, 'Poller', {
      handler: 'budgetPoller',
      description: 'Budget monitor: fans provider key ids out to the poll queue on schedule',
      schema: budgetPollerEnv,
      environment: {
        PROVIDER_KEYS_TABLE: tables.providerKeys.tableName,
        BUDGET_POLL_QUEUE_URL: this.pollQueue.queueUrl,
      },
      memorySize: 256,
      timeout: Duration.seconds(60),
      reservedConcurrency: 1,
      usesDataKey: true,
      deadLetterQueue: props.operations.asyncFailureQueue,
      settings,
      statements: [
        ...keyIdsOnly(tables.providerKeys, dataKey),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.pollQueue.queueArn] }),
        queueKeyStatement(dataKey, this.pollQueue, ['kms:GenerateDataKey', 'kms:Decrypt']),
      ],
    });

    this.worker = new HandlerFunction(this, 'Worker', {
      handler: 'budgetWorker',
      description: 'Budget monitor: polls provider usage APIs, evaluates budgets, sends alerts',
      schema: budgetWorkerEnv,
      environment: {
        PROVIDER_KEYS_TABLE: tables.providerKeys.tableName,
        BUDGETS_TABLE: tables.budgets.tableName,
        SPEND_HISTORY_TABLE: tables.spendHistory.tableName,
        BUDGET_ALERTS_TABLE: tables.budgetAlerts.tableName,
        AGENTS_TABLE: props.agentsTable.tableName,
        DATA_KEY_ARN: dataKey.keyArn,
        IOT_ENDPOINT: props.iotEndpoint,
        BUDGET_ALERTS_TOPIC_ARN: props.alertsTopic.topicArn,
      },
      memorySize: 256,
      timeout: Duration.seconds(WORKER_TIMEOUT_SECONDS),
      reservedConcurrency: BUDGET_WORKER_MAX_CONCURRENCY,
      usesDataKey: true,
      settings,
      statements: [
        ...tableAccess(dataKey, ['dynamodb:GetItem', 'dynamodb:UpdateItem'], [tables.providerKeys]),
        ...tableAccess(dataKey, ['dynamodb:Scan'], [tables.budgets]),
        ...tableAccess(
          dataKey,
          ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
          [tables.spendHistory],
          { indexes: ['byProvider'] },
        ),
        ...tableAccess(
          dataKey,
          ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          [tables.budgetAlerts],
        ),
        ...tableAccess(dataKey, ['dynamodb:GetItem', 'dynamodb:Scan'], [props.agentsTable]),
        secretsKeyStatement(dataKey, ['kms:Decrypt'], PROVIDER_KEY_PURPOSE),
        secretsKeyStatement(dataKey, ['kms:Decrypt'], ALERT_WEBHOOK_PURPOSE),
        ...queueConsumerAccess(dataKey, this.pollQueue),
        new iam.PolicyStatement({
          actions: ['iot:Publish'],
          resources: [iotArn('topic/clawpulsar/*/alerts')],
        }),
        new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.alertsTopic.topicArn] }),
        topicKeyStatement(dataKey, props.alertsTopic),
      ],
    });
    connectQueueConsumer(this, 'PollQueueMapping', {
      consumer: this.worker,
      queue: this.pollQueue,
      batchSize: 1,
      maxConcurrency: BUDGET_WORKER_MAX_CONCURRENCY,
      noDestinationReason:
        'SQS event sources take no on-failure destination: a failed poll message returns after its visibility ' +
        'timeout and the next schedule polls the same keys anyway.',
    });

    // The schedule's own role, invoking the poller and nothing else (the target's default role would carry
    // an inline policy with a `:*` version wildcard).
    const scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'EventBridge Scheduler: invokes the ClawPulsar budget poller',
    });
    new iam.ManagedPolicy(this, 'SchedulePolicy', {
      description: 'Invoke the ClawPulsar budget poller',
      roles: [scheduleRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.poller.function.functionArn],
        }),
      ],
    });

    this.schedule = new scheduler.Schedule(this, 'PollSchedule', {
      description: 'ClawPulsar budget monitor: poll provider usage and evaluate budgets',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(props.pollMinutes)),
      target: new schedulerTargets.LambdaInvoke(this.poller.function, {
        role: scheduleRole.withoutPolicyUpdates(),
        input: scheduler.ScheduleTargetInput.fromObject({
          source: 'clawpulsar.budget-poll',
          scheduledTime: scheduler.ContextAttribute.scheduledTime,
          executionId: scheduler.ContextAttribute.executionId,
          scheduleArn: scheduler.ContextAttribute.scheduleArn,
          attemptNumber: scheduler.ContextAttribute.attemptNumber,
        }),
        // A poll that could not start within one interval is superseded by the next one.
        maxEventAge: Duration.minutes(Math.max(1, props.pollMinutes)),
        retryAttempts: 2,
      }),
    });

    props.operations.alarm(
      'BudgetWorkerErrors',
      this.worker.function.metricErrors({ period: Duration.minutes(15), statistic: 'Sum' }),
      'Budget polls failed as a whole (a table or KMS unreachable); budgets may not be evaluated.',
    );

    if (props.management) this.#serveFromManagement(props.management, dataKey);
  }

  /** The management function's share: the tables as env variables, and what it may do with them. */
  #serveFromManagement(management: HandlerFunction, dataKey: kms.IKey): void {
    const { tables } = this;
    management.function.addEnvironment('PROVIDER_KEYS_TABLE', tables.providerKeys.tableName);
    management.function.addEnvironment('BUDGETS_TABLE', tables.budgets.tableName);
    management.function.addEnvironment('SPEND_HISTORY_TABLE', tables.spendHistory.tableName);
    management.function.addEnvironment('BUDGET_ALERTS_TABLE', tables.budgetAlerts.tableName);
    const crud = [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Scan',
    ] as const;
    const policy = new iam.ManagedPolicy(this, 'ManagementPolicy', {
      description: 'Budget monitor permissions of the ClawPulsar management function',
      roles: [management.role],
      statements: [
        ...tableAccess(dataKey, crud, [tables.providerKeys, tables.budgets]),
        ...tableAccess(
          dataKey,
          ['dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchWriteItem'],
          [tables.spendHistory],
          { indexes: ['byProvider'] },
        ),
        ...tableAccess(dataKey, ['dynamodb:Query'], [tables.budgetAlerts], { indexes: ['byBudget'] }),
        // Encrypt only: management stores keys and webhook targets but never reads one back.
        secretsKeyStatement(dataKey, ['kms:Encrypt'], PROVIDER_KEY_PURPOSE),
        secretsKeyStatement(dataKey, ['kms:Encrypt'], ALERT_WEBHOOK_PURPOSE),
      ],
    });
    management.function.node.addDependency(policy);
  }
}

/** Scan of the keys table that can return the `keyId` attribute and nothing else (never ciphertext). */
function keyIdsOnly(table: dynamodb.ITable, dataKey: kms.IKey): iam.PolicyStatement[] {
  const statements = tableAccess(dataKey, ['dynamodb:Scan'], [table]);
  const scan = statements[0] as iam.PolicyStatement;
  scan.addCondition('ForAllValues:StringEquals', { 'dynamodb:Attributes': ['keyId'] });
  scan.addCondition('StringEquals', { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' });
  return statements;
}

/** Publishing to the SSE-KMS alerts topic: the data key through SNS only. */
function topicKeyStatement(dataKey: kms.IKey, topic: sns.ITopic): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
    resources: [dataKey.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.amazonaws.com` },
      StringEqualsIfExists: { 'kms:EncryptionContext:aws:sns:topicArn': topic.topicArn },
    },
  });
}
