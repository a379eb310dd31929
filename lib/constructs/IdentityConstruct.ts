import { CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ENVELOPE_OBJECT_PREFIX } from '../../lambdas/adapters/aws/queueSettings.ts';
import type { TableName } from '../../lambdas/adapters/aws/tableDefinitions.ts';
import {
  ackEnv,
  caBootstrapEnv,
  certificateSweeperEnv,
  presenceEnv,
  registerEnv,
  renewEnv,
} from '../../lambdas/handlers/env.ts';
import { acknowledgeDeployTimeFunction } from '../acknowledgeDeployTimeFunction.ts';
import { acknowledgeWildcards } from '../acknowledgeWildcards.ts';
import { agentPolicyDocument } from '../agentPolicyDocument.ts';
import { iotArn, tableAccess, tableKeyStatement } from '../permissions.ts';
import { pinFunctionRuntime } from '../pinFunctionRuntime.ts';
import { type FunctionSettings, HandlerFunction } from './HandlerFunction.ts';
import type { OperationsConstruct } from './OperationsConstruct.ts';
import { REGISTER_THROTTLE, type RelayConstruct, ROUTES } from './RelayConstruct.ts';

/** The topic rules' SQL, exactly as the handlers' contract (lambdas/handlers/env.ts) states it. */
export const TOPIC_RULE_SQL = {
  acks:
    "SELECT encode(*, 'base64') AS payloadBase64, clientid() AS clientId, topic(2) AS topicAgentId, " +
    "timestamp() AS receivedAt FROM 'clawpulsar/+/acks'",
  csr:
    "SELECT encode(*, 'base64') AS payloadBase64, clientid() AS clientId, topic(2) AS topicAgentId, " +
    "timestamp() AS receivedAt FROM 'clawpulsar/+/cert/csr'",
  presence: "SELECT * FROM '$aws/events/presence/+/+'",
} as const;
export const TOPIC_RULE_SQL_VERSION = '2016-03-23';

/** Hours between certificate sweeps. */
export const SWEEP_INTERVAL_HOURS = 1;

export interface IdentityConstructProps {
  readonly settings: FunctionSettings;
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly relay: RelayConstruct;
  readonly operations: OperationsConstruct;
  readonly iotEndpoint: string;
}

/**
 * Agent identity and the tunnel's edge: the IoT policy that confines every agent to its own client id and
 * topics, the issuing CA (a KMS key, registered in IoT Core as SNI_ONLY by a custom resource at deploy
 * time), registration and renewal of 24 h certificates, presence, acks, and the hourly sweep of expired
 * certificates.
 */
export class IdentityConstruct extends Construct {
  readonly iotPolicy: iot.CfnPolicy;
  readonly register: HandlerFunction;
  readonly renew: HandlerFunction;
  readonly presence: HandlerFunction;
  readonly ack: HandlerFunction;
  readonly certificateSweeper: HandlerFunction;
  readonly caBootstrap: HandlerFunction;
  readonly caCertificate: CustomResource;
  readonly ruleErrorLogs: logs.LogGroup;
  readonly rules: {
    readonly acks: iot.CfnTopicRule;
    readonly csr: iot.CfnTopicRule;
    readonly presence: iot.CfnTopicRule;
  };

  constructor(scope: Construct, id: string, props: IdentityConstructProps) {
    super(scope, id);
    const { settings, tables, relay } = props;
    const { dataKey, caKey } = settings.keys;
    const asyncFailures = props.operations.asyncFailureQueue;

    this.iotPolicy = new iot.CfnPolicy(this, 'AgentPolicy', { policyDocument: agentPolicyDocument() });
    const policyName = this.iotPolicy.ref;
    const certificates = iotArn('cert/*');
    const things = iotArn('thing/*');
    const policyArn = iotArn(`policy/${policyName}`);
    const caSigning = new iam.PolicyStatement({
      actions: ['kms:GetPublicKey', 'kms:Sign'],
      resources: [caKey.keyArn],
    });
    // RegisterCertificate and RegisterCACertificate have no resource-level permissions in IAM.
    const registerCertificate = new iam.PolicyStatement({
      actions: ['iot:RegisterCertificate'],
      resources: ['*'],
    });

    this.caBootstrap = new HandlerFunction(this, 'CaBootstrap', {
      handler: 'caBootstrap',
      description:
        'Creates the issuing CA certificate with the KMS key and registers it in IoT Core (SNI_ONLY)',
      schema: caBootstrapEnv,
      environment: { CONFIG_TABLE: tables.config.tableName },
      memorySize: 256,
      timeout: Duration.minutes(1),
      reservedConcurrency: 1,
      usesDataKey: true,
      signsWithCaKey: true,
      settings,
      statements: [
        caSigning,
        new iam.PolicyStatement({ actions: ['iot:RegisterCACertificate'], resources: ['*'] }),
        new iam.PolicyStatement({
          actions: ['iot:UpdateCACertificate', 'iot:DeleteCACertificate'],
          resources: [iotArn('cacert/*')],
        }),
        ...tableAccess(
          dataKey,
          ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
          [tables.config],
        ),
      ],
    });
    this.caCertificate = this.#caCertificate(settings);

    this.register = new HandlerFunction(this, 'Register', {
      handler: 'register',
      description:
        'Registers an agent with a one-time token: signs its CSR for 24 h and registers it in IoT Core',
      schema: registerEnv,
      environment: {
        REGISTRATION_TOKENS_TABLE: tables.registrationTokens.tableName,
        AGENTS_TABLE: tables.agents.tableName,
        CERTIFICATES_TABLE: tables.certificates.tableName,
        CONFIG_TABLE: tables.config.tableName,
        CA_SIGNING_KEY_ARN: caKey.keyArn,
        IOT_ENDPOINT: props.iotEndpoint,
        IOT_POLICY_NAME: policyName,
        PUBLIC_BASE_URL: relay.publicBaseUrl,
      },
      memorySize: 256,
      timeout: Duration.seconds(15),
      reservedConcurrency: 2,
      usesDataKey: true,
      signsWithCaKey: true,
      settings,
      statements: [
        ...tableAccess(dataKey, ['dynamodb:DeleteItem', 'dynamodb:PutItem'], [tables.registrationTokens]),
        ...tableAccess(dataKey, ['dynamodb:GetItem', 'dynamodb:PutItem'], [tables.agents]),
        ...tableAccess(
          dataKey,
          ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'],
          [tables.certificates],
          { indexes: ['byAgent'] },
        ),
        ...tableAccess(dataKey, ['dynamodb:GetItem'], [tables.config]),
        caSigning,
        registerCertificate,
        new iam.PolicyStatement({ actions: ['iot:CreateThing'], resources: [things] }),
        new iam.PolicyStatement({ actions: ['iot:AttachPolicy'], resources: [certificates, policyArn] }),
        new iam.PolicyStatement({ actions: ['iot:AttachThingPrincipal'], resources: [certificates, things] }),
      ],
    });
    const registerRoute = relay.addPublicRoute(
      'Register',
      apigwv2.HttpMethod.POST,
      ROUTES.register,
      new HttpLambdaIntegration('RegisterIntegration', this.register.function),
      'The one-time, short-lived registration token in the body is the credential; the handler checks and ' +
        'consumes it before anything is written, and the route has its own tight throttle.',
    );
    relay.throttleRoute(registerRoute, `POST ${ROUTES.register}`, REGISTER_THROTTLE);

    this.renew = new HandlerFunction(this, 'Renew', {
      handler: 'renew',
      description: 'Renews an agent certificate from a CSR sent over its authenticated tunnel',
      schema: renewEnv,
      environment: {
        AGENTS_TABLE: tables.agents.tableName,
        CERTIFICATES_TABLE: tables.certificates.tableName,
        CONFIG_TABLE: tables.config.tableName,
        CA_SIGNING_KEY_ARN: caKey.keyArn,
        IOT_ENDPOINT: props.iotEndpoint,
        IOT_POLICY_NAME: policyName,
      },
      memorySize: 256,
      timeout: Duration.seconds(15),
      reservedConcurrency: 2,
      usesDataKey: true,
      signsWithCaKey: true,
      deadLetterQueue: asyncFailures,
      settings,
      statements: [
        ...tableAccess(dataKey, ['dynamodb:GetItem'], [tables.agents, tables.config]),
        ...tableAccess(
          dataKey,
          ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:Query'],
          [tables.certificates],
          { indexes: ['byAgent'] },
        ),
        caSigning,
        registerCertificate,
        // The provisioner creates the thing if it is missing (idempotent), on renewal as at registration.
        new iam.PolicyStatement({ actions: ['iot:CreateThing'], resources: [things] }),
        new iam.PolicyStatement({ actions: ['iot:AttachPolicy'], resources: [certificates, policyArn] }),
        new iam.PolicyStatement({ actions: ['iot:AttachThingPrincipal'], resources: [certificates, things] }),
        new iam.PolicyStatement({
          actions: ['iot:Publish'],
          resources: [iotArn('topic/clawpulsar/*/cert/issued')],
        }),
      ],
    });

    this.presence = new HandlerFunction(this, 'Presence', {
      handler: 'presence',
      description: 'Tracks agent connect/disconnect and sends waiting envelopes at once on reconnect',
      schema: presenceEnv,
      environment: {
        PRESENCE_TABLE: tables.presence.tableName,
        IN_FLIGHT_TABLE: tables.inFlight.tableName,
        AGENTS_TABLE: tables.agents.tableName,
        CERTIFICATES_TABLE: tables.certificates.tableName,
        ENVELOPE_QUEUE_URL: relay.envelopeQueue.queueUrl,
        IOT_ENDPOINT: props.iotEndpoint,
      },
      memorySize: 256,
      timeout: Duration.seconds(30),
      reservedConcurrency: 5,
      usesDataKey: true,
      deadLetterQueue: asyncFailures,
      settings,
      statements: [
        ...tableAccess(dataKey, ['dynamodb:UpdateItem', 'dynamodb:GetItem'], [tables.presence]),
        new iam.PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: [`${tables.inFlight.tableArn}/index/byAgent`],
        }),
        tableKeyStatement(dataKey, [tables.inFlight], ['dynamodb:Query']),
        ...tableAccess(dataKey, ['dynamodb:GetItem'], [tables.agents]),
        ...tableAccess(dataKey, ['dynamodb:Query', 'dynamodb:UpdateItem'], [tables.certificates], {
          indexes: ['byAgent'],
        }),
        new iam.PolicyStatement({
          actions: ['sqs:ChangeMessageVisibility'],
          resources: [relay.envelopeQueue.queueArn],
        }),
        new iam.PolicyStatement({ actions: ['iot:UpdateCertificate'], resources: [certificates] }),
        new iam.PolicyStatement({ actions: ['iot:DeleteConnection'], resources: [iotArn('client/*')] }),
      ],
    });

    this.ack = new HandlerFunction(this, 'Ack', {
      handler: 'ack',
      description: "Records agents' delivery acks and removes delivered envelopes from the queue",
      schema: ackEnv,
      environment: {
        IN_FLIGHT_TABLE: tables.inFlight.tableName,
        DELIVERY_LOG_TABLE: tables.deliveryLog.tableName,
        ENVELOPE_QUEUE_URL: relay.envelopeQueue.queueUrl,
        ENVELOPE_BUCKET: relay.envelopeBucket.bucketName,
      },
      memorySize: 256,
      timeout: Duration.seconds(10),
      reservedConcurrency: 10,
      usesDataKey: true,
      deadLetterQueue: asyncFailures,
      settings,
      statements: [
        ...tableAccess(dataKey, ['dynamodb:GetItem', 'dynamodb:UpdateItem'], [tables.inFlight]),
        ...tableAccess(dataKey, ['dynamodb:UpdateItem'], [tables.deliveryLog]),
        new iam.PolicyStatement({
          actions: ['sqs:DeleteMessage'],
          resources: [relay.envelopeQueue.queueArn],
        }),
        new iam.PolicyStatement({
          actions: ['s3:DeleteObject'],
          resources: [relay.envelopeBucket.arnForObjects(`${ENVELOPE_OBJECT_PREFIX}*`)],
        }),
      ],
    });

    this.certificateSweeper = new HandlerFunction(this, 'CertificateSweeper', {
      handler: 'certificateSweeper',
      description: 'Deactivates and deletes expired agent certificates in IoT Core, hourly',
      schema: certificateSweeperEnv,
      environment: {
        CERTIFICATES_TABLE: tables.certificates.tableName,
        IOT_POLICY_NAME: policyName,
      },
      memorySize: 256,
      timeout: Duration.minutes(5),
      reservedConcurrency: 1,
      usesDataKey: true,
      deadLetterQueue: asyncFailures,
      settings,
      statements: [
        ...tableAccess(dataKey, ['dynamodb:Scan', 'dynamodb:UpdateItem'], [tables.certificates]),
        new iam.PolicyStatement({
          actions: [
            'iot:UpdateCertificate',
            'iot:DetachThingPrincipal',
            'iot:DetachPolicy',
            'iot:DeleteCertificate',
          ],
          resources: [certificates, things, policyArn],
        }),
      ],
    });
    const sweep = new events.Rule(this, 'SweepSchedule', {
      description: 'Hourly sweep of expired agent certificates',
      schedule: events.Schedule.rate(Duration.hours(SWEEP_INTERVAL_HOURS)),
      targets: [new targets.LambdaFunction(this.certificateSweeper.function)],
    });
    Validations.of(sweep).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'A missed hourly trigger is repaired by the next one (the sweep is idempotent and rescans every ' +
        'certificate); a run that fails inside Lambda lands in the async failure queue and raises an alarm.',
    });

    this.ruleErrorLogs = new logs.LogGroup(this, 'TopicRuleErrors', {
      retention: settings.logRetention,
      encryptionKey: dataKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const errorRole = new iam.Role(this, 'TopicRuleErrorRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com'),
      description: 'Lets the ClawPulsar IoT rules write their errors to one log group',
    });
    new iam.ManagedPolicy(this, 'TopicRuleErrorPolicy', {
      roles: [errorRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [this.ruleErrorLogs.logGroupArn],
        }),
      ],
    });
    const prefix = Stack.of(this).stackName.replace(/[^A-Za-z0-9_]/g, '_');
    this.rules = {
      acks: this.#topicRule('AckRule', `${prefix}_acks`, TOPIC_RULE_SQL.acks, this.ack, errorRole),
      csr: this.#topicRule('CsrRule', `${prefix}_csr`, TOPIC_RULE_SQL.csr, this.renew, errorRole),
      presence: this.#topicRule(
        'PresenceRule',
        `${prefix}_presence`,
        TOPIC_RULE_SQL.presence,
        this.presence,
        errorRole,
      ),
    };
  }

  #topicRule(
    id: string,
    ruleName: string,
    sql: string,
    target: HandlerFunction,
    errorRole: iam.IRole,
  ): iot.CfnTopicRule {
    const rule = new iot.CfnTopicRule(this, id, {
      ruleName,
      topicRulePayload: {
        sql,
        awsIotSqlVersion: TOPIC_RULE_SQL_VERSION,
        ruleDisabled: false,
        actions: [{ lambda: { functionArn: target.function.functionArn } }],
        errorAction: {
          cloudwatchLogs: { logGroupName: this.ruleErrorLogs.logGroupName, roleArn: errorRole.roleArn },
        },
      },
    });
    target.function.addPermission(`${id}Invoke`, {
      principal: new iam.ServicePrincipal('iot.amazonaws.com'),
      sourceArn: rule.attrArn,
      sourceAccount: Stack.of(this).account,
    });
    return rule;
  }

  #caCertificate(settings: FunctionSettings): CustomResource {
    const logGroup = new logs.LogGroup(this, 'CaProviderLogs', {
      retention: settings.logRetention,
      encryptionKey: settings.keys.dataKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'CaProviderRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'ClawPulsar CA custom resource provider framework',
    });
    const statements = [
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction', 'lambda:GetFunction'],
        resources: [this.caBootstrap.function.functionArn],
      }),
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    ];
    const policy = new iam.ManagedPolicy(this, 'CaProviderPolicy', {
      description: 'Lets the CA custom resource provider invoke the CA bootstrap function',
      roles: [role],
      statements,
    });
    acknowledgeWildcards(policy, statements);
    const provider = new cr.Provider(this, 'CaProvider', {
      onEventHandler: this.caBootstrap.function,
      frameworkOnEventRole: role.withoutPolicyUpdates(),
      logGroup,
    });
    const framework = provider.node.findChild('framework-onEvent') as lambda.Function;
    framework.node.addDependency(policy);
    pinFunctionRuntime(framework);
    acknowledgeDeployTimeFunction(framework);
    const resource = new CustomResource(this, 'CaCertificate', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::ClawPulsarCa',
      properties: { CaSigningKeyArn: settings.keys.caKey.keyArn },
    });
    resource.node.addDependency(this.caBootstrap.policy);
    return resource;
  }
}
