import { Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Acknowledges, on one function that CDK runs only while deploying (a custom-resource provider), the
 * findings that describe long-running services: it is invoked synchronously by CloudFormation, which
 * reports its failure and rolls back, once per stack operation.
 */
export function acknowledgeDeployTimeFunction(fn: lambda.IFunction): void {
  const acks = Validations.of(fn);
  const deployOnly =
    'Runs only during CloudFormation deployments, invoked synchronously by CloudFormation, which reports a ' +
    'failure and rolls back';
  acks.acknowledge({
    id: 'NIST.800.53.R5-LambdaInsideVPC',
    reason: `${deployOnly}; it calls AWS APIs only, so a VPC would narrow nothing.`,
  });
  acks.acknowledge({ id: 'NIST.800.53.R5-LambdaDLQ', reason: `${deployOnly}; a DLQ would never receive.` });
  acks.acknowledge({ id: 'Serverless-LambdaDLQ', reason: `${deployOnly}; a DLQ would never receive.` });
  acks.acknowledge({
    id: 'NIST.800.53.R5-LambdaConcurrency',
    reason: `${deployOnly}, once per stack operation: there is no load to bound.`,
  });
  acks.acknowledge({
    id: 'Serverless-LambdaTracing',
    reason: `${deployOnly}; its calls are recorded by CloudTrail and in its own log group.`,
  });
}
