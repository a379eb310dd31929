import { Aws, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { acknowledgeWildcards } from '../../lib/acknowledgeWildcards.ts';

/** A stack with one role and one managed policy holding `statements` (built lazily per test). */
function probe(statements: (stack: Stack) => iam.PolicyStatement[]) {
  const stack = new Stack(undefined, 'Probe');
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const list = statements(stack);
  const policy = new iam.ManagedPolicy(stack, 'Policy', { roles: [role], statements: list });
  return { stack, policy, statements: list };
}

const iam5Findings = (stack: Stack): string[] =>
  new AwsSolutionsChecks()
    .validateScope(stack)
    .violations.map((violation) => violation.ruleName)
    .filter((rule) => rule.startsWith('AwsSolutions-IAM5'));

const acknowledgedIds = (policy: iam.ManagedPolicy): string[] =>
  policy.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>));

describe('acknowledgeWildcards', () => {
  it('acknowledges exactly the findings cdk-nag reports for justified wildcard resources', () => {
    // Prepare
    const { stack, policy, statements } = probe((scope) => {
      const bucket = new s3.Bucket(scope, 'Bucket');
      return [
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [bucket.arnForObjects('envelopes/*')],
        }),
        new iam.PolicyStatement({
          actions: ['iot:UpdateCertificate'],
          resources: [`arn:${Aws.PARTITION}:iot:${Aws.REGION}:${Aws.ACCOUNT_ID}:cert/*`],
        }),
        new iam.PolicyStatement({ actions: ['iot:RegisterCertificate'], resources: ['*'] }),
      ];
    });
    expect(iam5Findings(stack)).toHaveLength(3);

    // Act
    acknowledgeWildcards(policy, statements);

    // Assess
    expect(iam5Findings(stack)).toEqual([]);
    expect(acknowledgedIds(policy)).toHaveLength(3);
  });

  it('leaves statements without wildcards alone', () => {
    // Prepare
    const { policy, statements } = probe(() => [
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: ['arn:aws:sqs:eu-west-1:123456789012:q'],
      }),
    ]);

    // Act
    acknowledgeWildcards(policy, statements);

    // Assess
    expect(acknowledgedIds(policy)).toEqual([]);
  });

  it('refuses a wildcard action', () => {
    // Prepare
    const { policy, statements } = probe(() => [
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey*'],
        resources: ['arn:aws:kms:eu-west-1:1:key/k'],
      }),
    ]);

    // Act and assess
    expect(() => acknowledgeWildcards(policy, statements)).toThrow(/wildcard action kms:GenerateDataKey\*/);
  });

  it('refuses Resource * for an action IAM can scope', () => {
    // Prepare
    const { policy, statements } = probe(() => [
      new iam.PolicyStatement({ actions: ['iot:RegisterCertificate', 'dynamodb:GetItem'], resources: ['*'] }),
    ]);

    // Act and assess
    expect(() => acknowledgeWildcards(policy, statements)).toThrow(/Resource \* for dynamodb:GetItem/);
  });

  it('refuses a wildcard resource nobody wrote a reason for', () => {
    // Prepare
    const { policy, statements } = probe(() => [
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/t/index/*'],
      }),
    ]);

    // Act and assess
    expect(() => acknowledgeWildcards(policy, statements)).toThrow(/no written reason .*table\/t\/index\/\*/);
  });

  it('refuses a topic wildcard outside the edge-to-agent topics', () => {
    // Prepare
    const { policy, statements } = probe(() => [
      new iam.PolicyStatement({
        actions: ['iot:Publish'],
        resources: [`arn:${Aws.PARTITION}:iot:${Aws.REGION}:${Aws.ACCOUNT_ID}:topic/clawpulsar/*`],
      }),
    ]);

    // Act and assess
    expect(() => acknowledgeWildcards(policy, statements)).toThrow(/no written reason/);
  });
});
