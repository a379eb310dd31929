import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledgeDeployTimeFunction } from '../acknowledgeDeployTimeFunction.ts';
import { acknowledgeWildcards } from '../acknowledgeWildcards.ts';
import { pinFunctionRuntime } from '../pinFunctionRuntime.ts';

export interface IotEndpointConstructProps {
  readonly dataKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The account's IoT Core data endpoint (ATS), looked up at deploy time with `iot:DescribeEndpoint`: it is
 * per account and region and can't be known at synth time, which stays offline and environment-agnostic.
 */
export class IotEndpointConstruct extends Construct {
  /** Host name, e.g. `abc123-ats.iot.eu-west-1.amazonaws.com`. */
  readonly endpointAddress: string;

  constructor(scope: Construct, id: string, props: IotEndpointConstructProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.dataKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'ClawPulsar IoT endpoint lookup (deploy time)',
    });
    const statements = [
      // DescribeEndpoint has no resource-level permissions and reads no data.
      new iam.PolicyStatement({ actions: ['iot:DescribeEndpoint'], resources: ['*'] }),
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ];
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Looks up the IoT data endpoint and writes its own logs',
      roles: [role],
      statements,
    });

    const lookup = new cr.AwsCustomResource(this, 'Lookup', {
      resourceType: 'Custom::ClawPulsarIotEndpoint',
      onUpdate: {
        service: 'Iot',
        action: 'DescribeEndpoint',
        parameters: { endpointType: 'iot:Data-ATS' },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('endpointAddress'),
      },
      role,
      installLatestAwsSdk: false,
      logGroup,
      timeout: Duration.minutes(1),
    });
    lookup.node.addDependency(policy);
    this.endpointAddress = lookup.getResponseField('endpointAddress');

    const singleton = Stack.of(this).node.tryFindChild(
      `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
    ) as lambda.Function;
    pinFunctionRuntime(singleton);
    acknowledgeDeployTimeFunction(singleton);
    acknowledgeWildcards(policy, statements);
  }
}
