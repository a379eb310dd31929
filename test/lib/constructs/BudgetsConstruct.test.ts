import type { CfnElement } from 'aws-cdk-lib';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../../lambdas/adapters/aws/tableDefinitions.ts';
import type { ClawPulsarStack } from '../../../lib/ClawPulsarStack.ts';
import { BUDGET_WORKER_MAX_CONCURRENCY, BudgetsConstruct } from '../../../lib/constructs/BudgetsConstruct.ts';
import { KeysConstruct } from '../../../lib/constructs/KeysConstruct.ts';
import { OperationsConstruct } from '../../../lib/constructs/OperationsConstruct.ts';
import { buildTable } from '../../../lib/constructs/StorageConstruct.ts';
import {
  type IamStatement,
  iamStatements,
  nagFindings,
  type SynthesizedClawPulsar,
  synthClawPulsar,
} from '../../support/synthClawPulsar.ts';

let synthesized: SynthesizedClawPulsar;
let template: Template;
let stack: ClawPulsarStack;
let statements: IamStatement[];

const idOf = (construct: IConstruct): string =>
  stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
const resourceOf = (construct: IConstruct) => template.toJSON().Resources[idOf(construct)];
const policyOf = (construct: IConstruct) => statements.filter((s) => s.policy === idOf(construct));

beforeAll(() => {
  synthesized = synthClawPulsar();
  template = synthesized.template;
  stack = synthesized.stack;
  statements = iamStatements(template);
}, 600_000);
afterAll(() => synthesized?.dispose());

describe('BudgetsConstruct in the stack', () => {
  it('invokes the poller every 5 minutes by default with the Scheduler context attributes as input', () => {
    const schedule = resourceOf(stack.budgets.schedule).Properties;

    expect(schedule.ScheduleExpression).toBe('rate(5 minutes)');
    expect(schedule.State).toBe('ENABLED');
    expect(schedule.Target.Arn).toEqual({ 'Fn::GetAtt': [idOf(stack.budgets.poller.function), 'Arn'] });
    expect(JSON.parse(schedule.Target.Input)).toEqual({
      source: 'clawpulsar.budget-poll',
      scheduledTime: '<aws.scheduler.scheduled-time>',
      executionId: '<aws.scheduler.execution-id>',
      scheduleArn: '<aws.scheduler.schedule-arn>',
      attemptNumber: '<aws.scheduler.attempt-number>',
    });
  });

  it('lets the worker decrypt only under the provider-key and alert-webhook encryption contexts', () => {
    const decrypts = policyOf(stack.budgets.worker.policy).filter(
      (s) => s.Action.includes('kms:Decrypt') && !s.Condition?.StringEquals?.['kms:ViaService'],
    );

    expect(decrypts.map((s) => s.Condition)).toEqual([
      { StringEquals: { 'kms:EncryptionContext:purpose': 'provider-key' } },
      { StringEquals: { 'kms:EncryptionContext:purpose': 'alert-webhook' } },
    ]);
    for (const statement of decrypts) {
      expect(statement.Action).toEqual(['kms:Decrypt']);
      expect(statement.Resource).toEqual([{ 'Fn::GetAtt': [idOf(stack.keys.dataKey), 'Arn'] }]);
    }
  });

  it('never lets the poller or the management function decrypt a provider key', () => {
    for (const policy of [stack.budgets.poller.policy, stack.management.management.policy]) {
      for (const statement of policyOf(policy)) {
        if (!statement.Action.includes('kms:Decrypt')) continue;
        expect(statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose']).not.toBe('provider-key');
        const direct = !statement.Condition?.StringEquals?.['kms:ViaService'];
        if (direct)
          expect(statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose']).toBeDefined();
      }
    }
    const management = statements.filter((s) => s.policy.startsWith('BudgetsManagementPolicy'));
    expect(
      management.find((s) => s.Condition?.StringEquals?.['kms:EncryptionContext:purpose'] === 'provider-key')
        ?.Action,
    ).toEqual(['kms:Encrypt']);
  });

  it('lets the poller read key ids and nothing else of the keys table', () => {
    const scan = policyOf(stack.budgets.poller.policy).find((s) => s.Action.includes('dynamodb:Scan'));

    expect(scan?.Action).toEqual(['dynamodb:Scan']);
    expect(scan?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['keyId'] },
      StringEquals: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
    });
  });

  it('keeps spend history and alert claims under TTL and no table with point-in-time recovery', () => {
    const { providerKeys, budgets, spendHistory, budgetAlerts } = stack.budgets.tables;

    expect(resourceOf(spendHistory).Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'ttl',
      Enabled: true,
    });
    expect(resourceOf(budgetAlerts).Properties.TimeToLiveSpecification).toEqual({
      AttributeName: 'ttl',
      Enabled: true,
    });
    for (const table of [providerKeys, budgets, spendHistory, budgetAlerts]) {
      expect(resourceOf(table).Properties.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: false,
      });
      expect(resourceOf(table).Properties.SSESpecification).toMatchObject({
        SSEEnabled: true,
        SSEType: 'KMS',
      });
    }
  });

  it('feeds the workers one message of ten keys each, at most a bounded number at once', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: idOf(stack.budgets.worker.function) },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: BUDGET_WORKER_MAX_CONCURRENCY },
    });
    expect(resourceOf(stack.budgets.pollQueue).Properties.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': [idOf(stack.keys.dataKey), 'Arn'],
    });
  });

  it('gives the management function the budget tables', () => {
    const variables = resourceOf(stack.management.management.function).Properties.Environment.Variables;

    expect(variables).toMatchObject({
      PROVIDER_KEYS_TABLE: { Ref: idOf(stack.budgets.tables.providerKeys) },
      BUDGETS_TABLE: { Ref: idOf(stack.budgets.tables.budgets) },
      SPEND_HISTORY_TABLE: { Ref: idOf(stack.budgets.tables.spendHistory) },
      BUDGET_ALERTS_TABLE: { Ref: idOf(stack.budgets.tables.budgetAlerts) },
    });
  });

  it('publishes alerts only to the alerts topic and agents’ alert topics', () => {
    const worker = policyOf(stack.budgets.worker.policy);

    expect(worker.find((s) => s.Action.includes('sns:Publish'))?.Resource).toEqual([
      { Ref: idOf(stack.operations.alertsTopic) },
    ]);
    expect(JSON.stringify(worker.find((s) => s.Action.includes('iot:Publish'))?.Resource)).toContain(
      'topic/clawpulsar/*/alerts',
    );
  });

  it('leaves no unacknowledged cdk-nag finding', () => {
    expect(nagFindings(synthesized.app).filter((finding) => finding.includes('/Budgets/'))).toEqual([]);
  });
});

describe('BudgetsConstruct on its own', () => {
  it('polls at the rate it is given', () => {
    const probe = new Stack(undefined, 'BudgetsProbe');
    const keys = new KeysConstruct(probe, 'Keys', { deletionWindowDays: 7 });
    const operations = new OperationsConstruct(probe, 'Operations', { dataKey: keys.dataKey });
    const agents = buildTable(probe, 'Agents', TABLES.agents, keys.dataKey, {
      pointInTimeRecovery: true,
      reason: 'probe',
    });

    new BudgetsConstruct(probe, 'Budgets', {
      settings: { keys, logRetention: 30, tracing: false, reserveConcurrency: true },
      agentsTable: agents,
      operations,
      alertsTopic: operations.alertsTopic,
      iotEndpoint: 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com',
      pollMinutes: 15,
    });

    Template.fromStack(probe).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({ RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }) }),
    });
  }, 300_000);
});
