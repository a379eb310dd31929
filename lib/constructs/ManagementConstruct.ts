import { Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { TableName } from '../../lambdas/adapters/aws/tableDefinitions.ts';
import { managementEnv } from '../../lambdas/handlers/env.ts';
import { iotArn, secretsKeyStatement, tableAccess } from '../permissions.ts';
import { type FunctionSettings, HandlerFunction } from './HandlerFunction.ts';
import { type RelayConstruct, ROUTES, SOURCE_SECRETS_PURPOSE } from './RelayConstruct.ts';

export interface ManagementConstructProps {
  readonly settings: FunctionSettings;
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly relay: RelayConstruct;
  readonly iotEndpoint: string;
}

/**
 * The management API (agents, registration tokens, sources, delivery log) behind IAM: every call is
 * SigV4-signed by the operator's own AWS credentials, so who may manage the relay is decided in IAM and
 * recorded in the access log by caller ARN. Secrets go in and are never returned.
 */
export class ManagementConstruct extends Construct {
  readonly management: HandlerFunction;
  readonly route: apigwv2.HttpRoute;

  constructor(scope: Construct, id: string, props: ManagementConstructProps) {
    super(scope, id);
    const { settings, tables, relay } = props;
    const dataKey = settings.keys.dataKey;
    const crud = [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'dynamodb:Scan',
    ] as const;

    this.management = new HandlerFunction(this, 'Management', {
      handler: 'management',
      description: 'Management API (IAM-authenticated): agents, tokens, sources, delivery log',
      schema: managementEnv,
      environment: {
        AGENTS_TABLE: tables.agents.tableName,
        CERTIFICATES_TABLE: tables.certificates.tableName,
        SOURCES_TABLE: tables.sources.tableName,
        REGISTRATION_TOKENS_TABLE: tables.registrationTokens.tableName,
        DELIVERY_LOG_TABLE: tables.deliveryLog.tableName,
        PRESENCE_TABLE: tables.presence.tableName,
        DATA_KEY_ARN: dataKey.keyArn,
        IOT_ENDPOINT: props.iotEndpoint,
        PUBLIC_BASE_URL: relay.publicBaseUrl,
      },
      memorySize: 256,
      timeout: Duration.seconds(15),
      reservedConcurrency: 5,
      usesDataKey: true,
      settings,
      statements: [
        ...tableAccess(dataKey, crud, [tables.agents, tables.sources]),
        ...tableAccess(dataKey, crud, [tables.certificates], { indexes: ['byAgent'] }),
        ...tableAccess(dataKey, ['dynamodb:PutItem'], [tables.registrationTokens]),
        ...tableAccess(dataKey, ['dynamodb:Query', 'dynamodb:GetItem'], [tables.deliveryLog], {
          indexes: ['byAgent', 'byDay'],
        }),
        ...tableAccess(dataKey, ['dynamodb:GetItem'], [tables.presence]),
        secretsKeyStatement(dataKey, ['kms:Encrypt', 'kms:Decrypt'], SOURCE_SECRETS_PURPOSE),
        new iam.PolicyStatement({ actions: ['iot:UpdateCertificate'], resources: [iotArn('cert/*')] }),
        new iam.PolicyStatement({ actions: ['iot:DeleteConnection'], resources: [iotArn('client/*')] }),
      ],
    });

    this.route = relay.addIamRoute(
      'Management',
      apigwv2.HttpMethod.ANY,
      ROUTES.management,
      new HttpLambdaIntegration('ManagementIntegration', this.management.function),
    );
  }
}
