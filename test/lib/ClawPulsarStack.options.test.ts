import type { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClawPulsarStack } from '../../lib/ClawPulsarStack.ts';
import { STACK_OUTPUTS } from '../../lib/stackOutputs.ts';
import {
  iamStatements,
  nagFindings,
  type SynthesizedClawPulsar,
  synthClawPulsar,
} from '../support/synthClawPulsar.ts';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

let synthesized: SynthesizedClawPulsar;
let template: Template;
let stack: ClawPulsarStack;

const idOf = (construct: IConstruct): string =>
  stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
const resourceOf = (construct: IConstruct) => template.toJSON().Resources[idOf(construct)];

/** The non-default settings, all at once, as `-c` passes them (strings). */
beforeAll(() => {
  synthesized = synthClawPulsar({
    'clawpulsar:stackName': 'ClawPulsarTest',
    'clawpulsar:domainName': 'hooks.example.com',
    'clawpulsar:certificateArn': CERTIFICATE_ARN,
    'clawpulsar:reservedConcurrency': 'false',
    'clawpulsar:tracing': 'true',
    'clawpulsar:logRetentionDays': '7',
    'clawpulsar:throttleRateLimit': '10',
    'clawpulsar:throttleBurstLimit': '20',
    'clawpulsar:keyDeletionWindowDays': '7',
  });
  template = synthesized.template;
  stack = synthesized.stack;
}, 600_000);

afterAll(() => synthesized?.dispose());

const handlerFunctions = () => [
  stack.relay.ingress,
  stack.relay.dispatcher,
  stack.identity.register,
  stack.identity.renew,
  stack.identity.presence,
  stack.identity.ack,
  stack.identity.certificateSweeper,
  stack.identity.caBootstrap,
  stack.management.management,
];

describe('ClawPulsarStack with every option set', () => {
  it('names the stack from the context', () => {
    // Assess
    expect(stack.stackName).toBe('ClawPulsarTest');
    expect(stack.identity.rules.acks.ruleName).toBe('ClawPulsarTest_acks');
  });

  it('still has no unacknowledged cdk-nag finding', () => {
    // Assess
    expect(nagFindings(synthesized.app)).toEqual([]);
  });

  it('serves the public routes on the custom domain with TLS 1.2 and the given certificate', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'hooks.example.com',
      DomainNameConfigurations: [
        { CertificateArn: CERTIFICATE_ARN, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' },
      ],
    });
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
  });

  it('builds webhook and registration URLs on the custom domain, management on the API endpoint', () => {
    // Act
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    expect(outputs[STACK_OUTPUTS.webhookBaseUrl]?.Value).toBe('https://hooks.example.com/v1/hooks');
    expect(outputs[STACK_OUTPUTS.registrationUrl]?.Value).toBe('https://hooks.example.com/v1/register');
    expect(JSON.stringify(outputs[STACK_OUTPUTS.managementApiUrl]?.Value)).toContain('ApiEndpoint');
    expect(outputs[STACK_OUTPUTS.customDomainTarget]?.Value).toEqual({
      'Fn::GetAtt': [idOf(stack.relay.domainName!), 'RegionalDomainName'],
    });
  });

  it('tells the ingress, registration and management the public base URL', () => {
    // Assess
    for (const fn of [stack.relay.ingress, stack.identity.register, stack.management.management]) {
      expect(resourceOf(fn.function).Properties.Environment.Variables.PUBLIC_BASE_URL).toBe(
        'https://hooks.example.com',
      );
    }
  });

  it('reserves no concurrency, for accounts at the 10-execution quota', () => {
    // Assess
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it('traces every handler with X-Ray and lets it write its segments', () => {
    // Assess
    for (const fn of handlerFunctions()) {
      expect(resourceOf(fn.function).Properties.TracingConfig).toEqual({ Mode: 'Active' });
      const xray = iamStatements(template).filter(
        (statement) =>
          statement.policy === idOf(fn.policy) && statement.Action.includes('xray:PutTraceSegments'),
      );
      expect(xray).toHaveLength(1);
    }
  });

  it('applies the retention, throttle and key deletion window it was given', () => {
    // Assess
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(7);
    }
    expect(resourceOf(stack.relay.stage).Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 10,
      ThrottlingBurstLimit: 20,
    });
    expect(resourceOf(stack.keys.dataKey).Properties.PendingWindowInDays).toBe(7);
  });

  it('subscribes no email when none is configured', () => {
    // Assess
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
