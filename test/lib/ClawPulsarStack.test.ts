import { App, type CfnElement, Stack, Token, Validations } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import {
  DISPATCHER_TIMEOUT_SECONDS,
  ENVELOPE_OBJECT_EXPIRY_DAYS,
} from '../../lambdas/adapters/aws/queueSettings.ts';
import { TABLES, type TableName } from '../../lambdas/adapters/aws/tableDefinitions.ts';
import {
  ackEnv,
  budgetPollerEnv,
  budgetWorkerEnv,
  caBootstrapEnv,
  certificateSweeperEnv,
  dispatcherEnv,
  ingressEnv,
  managementEnv,
  presenceEnv,
  registerEnv,
  renewEnv,
} from '../../lambdas/handlers/env.ts';
import type { ClawPulsarStack } from '../../lib/ClawPulsarStack.ts';
import type { HandlerFunction } from '../../lib/constructs/HandlerFunction.ts';
import { STACK_OUTPUTS } from '../../lib/stackOutputs.ts';
import {
  iamStatements,
  nagFindings,
  type SynthesizedClawPulsar,
  synthClawPulsar,
} from '../support/synthClawPulsar.ts';

/** IoT Core's policy variable for the connection's thing, written out here rather than imported. */
const THING = `\${iot:Connection.Thing.ThingName}`;

/** 72 hours, the relay's promise (ARCHITECTURE §7). */
const SEVENTY_TWO_HOURS = 259_200;

/** Actions that touch data: never on `Resource: *`. */
const DATA_ACTION =
  /^(dynamodb|sqs|s3|kms|sns|logs):|^iot:(Publish|Receive|Subscribe|Connect|DeleteConnection)$/;
/** The only actions IAM can't scope, so the only ones allowed on `Resource: *` here. */
const UNSCOPABLE_ACTIONS = ['iot:RegisterCertificate', 'iot:RegisterCACertificate', 'iot:DescribeEndpoint'];

let synthesized: SynthesizedClawPulsar;
let template: Template;
let stack: ClawPulsarStack;

/** The logical id CloudFormation sees for a construct's L1 resource. */
const idOf = (construct: IConstruct): string =>
  stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
const resourceOf = (construct: IConstruct) => template.toJSON().Resources[idOf(construct)];
const ref = (construct: IConstruct) => ({ Ref: idOf(construct) });
const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [idOf(construct), 'Arn'] });

beforeAll(() => {
  synthesized = synthClawPulsar({ 'clawpulsar:alertEmail': 'ops@example.com' });
  template = synthesized.template;
  stack = synthesized.stack;
}, 600_000);

afterAll(() => synthesized?.dispose());

const handlers = (): Record<string, { fn: HandlerFunction; schema: z.ZodMiniObject; async: boolean }> => ({
  ingress: { fn: stack.relay.ingress, schema: ingressEnv, async: false },
  dispatcher: { fn: stack.relay.dispatcher, schema: dispatcherEnv, async: false },
  register: { fn: stack.identity.register, schema: registerEnv, async: false },
  management: { fn: stack.management.management, schema: managementEnv, async: false },
  caBootstrap: { fn: stack.identity.caBootstrap, schema: caBootstrapEnv, async: false },
  ack: { fn: stack.identity.ack, schema: ackEnv, async: true },
  renew: { fn: stack.identity.renew, schema: renewEnv, async: true },
  presence: { fn: stack.identity.presence, schema: presenceEnv, async: true },
  certificateSweeper: { fn: stack.identity.certificateSweeper, schema: certificateSweeperEnv, async: true },
  budgetPoller: { fn: stack.budgets.poller, schema: budgetPollerEnv, async: true },
  budgetWorker: { fn: stack.budgets.worker, schema: budgetWorkerEnv, async: false },
});

describe('cdk-nag', () => {
  it('reports no unacknowledged finding in the AwsSolutions, Serverless and NIST 800-53 R5 packs', () => {
    // Act
    const findings = nagFindings(synthesized.app);

    // Assess
    expect(findings).toEqual([]);
  });

  it('still reports a finding nobody acknowledged (the check above can fail)', () => {
    // Prepare
    const probe = new Stack(undefined, 'Probe');
    const queue = new sqs.Queue(probe, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });

    // Act
    const report = new AwsSolutionsChecks().validateScope(probe);

    // Assess
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-SQS4');
    expect(queue.node.path).toBe('Probe/Plain');
  });

  it('keeps every acknowledgement on one construct, never on the stack or the app, with a reason', () => {
    // Prepare
    const holders: { node: IConstruct; id: string; reason: string }[] = [];
    for (const node of synthesized.app.node.findAll()) {
      for (const entry of node.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          holders.push({ node, id, reason });
        }
      }
    }

    // Assess
    expect(holders.length).toBeGreaterThan(0);
    for (const { node, id, reason } of holders) {
      const where = `${id} on ${node.node.path}`;
      expect(Stack.isStack(node), where).toBe(false);
      expect(App.isApp(node), where).toBe(false);
      expect(reason.length, where).toBeGreaterThan(60);
    }
  });
});

describe('envelope queue', () => {
  it('keeps messages at least 72 h and at most an hour longer, so the dispatcher ends every envelope', () => {
    // Act
    const properties = resourceOf(stack.relay.envelopeQueue).Properties;

    // Assess
    expect(properties.MessageRetentionPeriod).toBeGreaterThanOrEqual(SEVENTY_TWO_HOURS);
    expect(properties.MessageRetentionPeriod).toBeLessThanOrEqual(SEVENTY_TWO_HOURS + 3_600);
  });

  it('is encrypted with the stack’s customer-managed key and has no dead-letter queue', () => {
    // Act
    const properties = resourceOf(stack.relay.envelopeQueue).Properties;

    // Assess
    expect(properties.KmsMasterKeyId).toEqual(arnOf(stack.keys.dataKey));
    expect(properties.RedrivePolicy).toBeUndefined();
  });

  it('hides a received message for longer than the dispatcher can run', () => {
    // Act
    const properties = resourceOf(stack.relay.envelopeQueue).Properties;

    // Assess
    expect(properties.VisibilityTimeout).toBeGreaterThanOrEqual(DISPATCHER_TIMEOUT_SECONDS);
    expect(resourceOf(stack.relay.dispatcher.function).Properties.Timeout).toBe(DISPATCHER_TIMEOUT_SECONDS);
  });

  it.each([
    ['envelope queue', () => stack.relay.envelopeQueue],
    ['async failure queue', () => stack.operations.asyncFailureQueue],
  ])('refuses every request to the %s that is not over TLS', (_name, queue) => {
    // Assess
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [ref(queue())],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('feeds the dispatcher with partial batch responses and a bounded concurrency', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(stack.relay.envelopeQueue),
      FunctionName: ref(stack.relay.dispatcher.function),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });
});

describe('claim-check bucket', () => {
  it('encrypts with the customer-managed key (S3 Bucket Key on) and blocks every kind of public access', () => {
    // Act
    const properties = resourceOf(stack.relay.envelopeBucket).Properties;

    // Assess
    expect(properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arnOf(stack.keys.dataKey) },
      },
    ]);
    expect(properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it('expires claim checks within days of the 72 h window and keeps no versions', () => {
    // Act
    const properties = resourceOf(stack.relay.envelopeBucket).Properties;

    // Assess
    expect(properties.VersioningConfiguration).toBeUndefined();
    expect(properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({
        Prefix: 'envelopes/',
        Status: 'Enabled',
        ExpirationInDays: ENVELOPE_OBJECT_EXPIRY_DAYS,
      }),
    ]);
    expect(ENVELOPE_OBJECT_EXPIRY_DAYS * 24).toBeGreaterThanOrEqual(72);
    expect(ENVELOPE_OBJECT_EXPIRY_DAYS).toBeLessThanOrEqual(4);
  });

  it('refuses requests without TLS 1.2 or later', () => {
    // Assess
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(stack.relay.envelopeBucket),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });
});

describe('functions', () => {
  it('run every function in the stack on Node.js 24 and arm64, with explicit memory', () => {
    // Act
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));

    // Assess
    expect(functions.length).toBe(13);
    for (const fn of functions) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.MemorySize).toBeGreaterThan(0);
    }
  });

  it('log every function to its own KMS-encrypted log group with a retention', () => {
    // Act
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const groups = template.findResources('AWS::Logs::LogGroup');

    // Assess
    for (const fn of functions) {
      const group = groups[fn.Properties.LoggingConfig.LogGroup.Ref];
      expect(group?.Properties.RetentionInDays).toBe(30);
      expect(group?.Properties.KmsKeyId).toEqual(arnOf(stack.keys.dataKey));
    }
    for (const group of Object.values(groups)) {
      expect(group.Properties.KmsKeyId).toEqual(arnOf(stack.keys.dataKey));
      expect(group.Properties.RetentionInDays).toBe(30);
    }
  });

  it('bundle each handler as one ESM file exporting `handler`', () => {
    // Assess
    for (const { fn } of Object.values(handlers())) {
      expect(resourceOf(fn.function).Properties.Handler).toBe('index.handler');
    }
  });

  it('give each handler exactly the environment its schema in lambdas/handlers/env.ts expects', () => {
    // Assess
    for (const [name, { fn, schema }] of Object.entries(handlers())) {
      const variables = Object.keys(resourceOf(fn.function).Properties.Environment.Variables).sort();
      const required = Object.entries(schema.shape)
        .filter(([, field]) => !(field as z.ZodMiniType).safeParse(undefined).success)
        .map(([key]) => key)
        .sort();
      expect(variables, name).toEqual(expect.arrayContaining(required));
      expect(Object.keys(schema.shape), name).toEqual(expect.arrayContaining(variables));
    }
  });

  it('send failed asynchronous events to the dead-letter queue, and only for asynchronously invoked functions', () => {
    // Assess
    for (const [name, { fn, async }] of Object.entries(handlers())) {
      const config = resourceOf(fn.function).Properties.DeadLetterConfig;
      if (async) expect(config, name).toEqual({ TargetArn: arnOf(stack.operations.asyncFailureQueue) });
      else expect(config, name).toBeUndefined();
    }
  });

  it('reserve concurrency for every handler, so no trigger can starve the others or flood a downstream', () => {
    // Assess
    for (const [name, { fn }] of Object.entries(handlers())) {
      expect(resourceOf(fn.function).Properties.ReservedConcurrentExecutions, name).toBeGreaterThan(0);
    }
  });

  it('leave X-Ray tracing off unless asked for', () => {
    // Assess
    for (const { fn } of Object.values(handlers())) {
      expect(resourceOf(fn.function).Properties.TracingConfig).toBeUndefined();
    }
  });
});

describe('IAM', () => {
  it('has no inline policies: every permission is in a customer-managed policy', () => {
    // Assess
    expect(Object.keys(template.findResources('AWS::IAM::Policy'))).toEqual([]);
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.Policies).toBeUndefined();
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('never grants a data action on Resource *', () => {
    // Act
    const offending = iamStatements(template).filter(
      (statement) =>
        statement.Resource.includes('*') && statement.Action.some((action) => DATA_ACTION.test(action)),
    );

    // Assess
    expect(iamStatements(template).length).toBeGreaterThan(50);
    expect(offending).toEqual([]);
  });

  it('uses Resource * only for actions IAM can’t scope to a resource', () => {
    // Act
    const starred = iamStatements(template).filter((statement) => statement.Resource.includes('*'));

    // Assess
    expect(starred.length).toBeGreaterThan(0);
    for (const statement of starred) {
      expect(statement.Resource).toEqual(['*']);
      for (const action of statement.Action) expect(UNSCOPABLE_ACTIONS).toContain(action);
    }
  });

  it('grants no wildcard actions', () => {
    // Assess
    for (const statement of iamStatements(template)) {
      for (const action of statement.Action) expect(action, statement.policy).not.toContain('*');
    }
  });

  it('conditions every use of the data key on an encryption context or the service it goes through', () => {
    // Prepare
    const dataKeyArn = JSON.stringify(arnOf(stack.keys.dataKey));

    // Act
    const keyStatements = iamStatements(template).filter((statement) =>
      statement.Resource.some((resource) => JSON.stringify(resource) === dataKeyArn),
    );

    // Assess
    expect(keyStatements.length).toBeGreaterThan(10);
    for (const statement of keyStatements) {
      const conditions = JSON.stringify(statement.Condition ?? {});
      expect(conditions, statement.policy).toMatch(/kms:EncryptionContext:|kms:ViaService/);
    }
  });

  it('lets only the ingress and management functions decrypt source secrets, by their encryption context', () => {
    // Act
    const secretReaders = iamStatements(template).filter(
      (statement) =>
        statement.Action.includes('kms:Decrypt') &&
        statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose'] === 'source-secrets',
    );

    // Assess
    expect(secretReaders.map((statement) => statement.policy).sort()).toEqual(
      [idOf(stack.relay.ingress.policy), idOf(stack.management.management.policy)].sort(),
    );
  });

  it('lets the dispatcher publish only to agents’ delivery topics', () => {
    // Act
    const publishes = iamStatements(template).filter(
      (statement) =>
        statement.policy === idOf(stack.relay.dispatcher.policy) && statement.Action.includes('iot:Publish'),
    );

    // Assess
    expect(JSON.stringify(publishes.map((statement) => statement.Resource))).toMatch(
      /^\[\[\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":iot:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":topic\/clawpulsar\/\*\/deliveries"\]\]\}\]\]$/,
    );
  });
});

describe('KMS', () => {
  it('rotates the data key', () => {
    // Assess
    expect(resourceOf(stack.keys.dataKey).Properties.EnableKeyRotation).toBe(true);
  });

  it('keeps the CA key as an ECC P-256 signing key', () => {
    // Act
    const properties = resourceOf(stack.keys.caKey).Properties;

    // Assess
    expect(properties.KeySpec).toBe('ECC_NIST_P256');
    expect(properties.KeyUsage).toBe('SIGN_VERIFY');
  });

  it('lets only the three certificate-issuing roles sign, and only digests with ECDSA_SHA_256', () => {
    // Act
    const statements = resourceOf(stack.keys.caKey).Properties.KeyPolicy.Statement as Record<
      string,
      unknown
    >[];
    const signing = statements.filter((statement) => JSON.stringify(statement.Action).includes('kms:Sign'));

    // Assess
    expect(signing).toEqual([
      expect.objectContaining({
        Action: 'kms:Sign',
        Condition: {
          ArnEquals: {
            'aws:PrincipalArn': [
              arnOf(stack.identity.caBootstrap.role),
              arnOf(stack.identity.register.role),
              arnOf(stack.identity.renew.role),
            ],
          },
          StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'DIGEST' },
        },
      }),
    ]);
  });

  it('gives the account administration of the keys but no use of them outside the named roles', () => {
    // Assess
    for (const key of [stack.keys.dataKey, stack.keys.caKey]) {
      const statements = resourceOf(key).Properties.KeyPolicy.Statement as Record<string, unknown>[];
      const unconditioned = statements.filter((statement) => statement.Condition === undefined);
      for (const statement of unconditioned) {
        const actions = JSON.stringify(statement.Action);
        if (statement.Sid === 'CloudWatchAlarmsToEncryptedTopic') continue;
        expect(actions).not.toMatch(/kms:(Decrypt|Encrypt|GenerateDataKey|Sign)"/);
        expect(actions).not.toContain('"kms:*"');
      }
    }
  });

  it('schedules both keys for deletion with the stack, after the configured waiting period', () => {
    // Assess
    for (const key of [stack.keys.dataKey, stack.keys.caKey]) {
      expect(resourceOf(key).DeletionPolicy).toBe('Delete');
      expect(resourceOf(key).Properties.PendingWindowInDays).toBe(30);
    }
  });
});

describe('tables', () => {
  const expectedRecovery: Readonly<Record<TableName, boolean>> = {
    agents: true,
    certificates: false,
    sources: false,
    registrationTokens: false,
    dedupe: false,
    deliveryLog: true,
    presence: false,
    inFlight: false,
    config: true,
  };

  it.each(Object.keys(TABLES) as TableName[])(
    'builds the %s table from tableDefinitions.ts: keys, indexes, TTL, CMK, on-demand',
    (name) => {
      // Prepare
      const definition = TABLES[name];
      const properties = resourceOf(stack.storage.tables[name]).Properties;

      // Assess
      expect(properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(properties.SSESpecification).toEqual({
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: arnOf(stack.keys.dataKey),
      });
      expect(properties.KeySchema[0]).toEqual({
        AttributeName: definition.partitionKey.name,
        KeyType: 'HASH',
      });
      if ('sortKey' in definition) {
        expect(properties.KeySchema[1]).toEqual({ AttributeName: definition.sortKey.name, KeyType: 'RANGE' });
      }
      if ('timeToLiveAttribute' in definition) {
        expect(properties.TimeToLiveSpecification).toEqual({
          AttributeName: definition.timeToLiveAttribute,
          Enabled: true,
        });
      } else {
        expect(properties.TimeToLiveSpecification).toBeUndefined();
      }
      expect(
        (properties.GlobalSecondaryIndexes ?? []).map((index: { IndexName: string }) => index.IndexName),
      ).toEqual(definition.globalSecondaryIndexes.map((index) => index.indexName));
    },
  );

  it.each(Object.entries(expectedRecovery))(
    'sets point-in-time recovery on the %s table to %s',
    (name, enabled) => {
      // Act
      const properties = resourceOf(stack.storage.tables[name as TableName]).Properties;

      // Assess
      expect(properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: enabled });
    },
  );

  it('projects only the receipt handle into the sparse in-flight index', () => {
    // Act
    const indexes = resourceOf(stack.storage.tables.inFlight).Properties.GlobalSecondaryIndexes;

    // Assess
    expect(indexes[0].Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['receiptHandle'] });
  });
});

describe('HTTP API', () => {
  it.each([
    ['POST /v1/hooks/{agentId}/{sourceId}', 'NONE'],
    ['GET /v1/hooks/{agentId}/{sourceId}', 'NONE'],
    ['POST /v1/register', 'NONE'],
    ['ANY /v1/{proxy+}', 'AWS_IAM'],
    ['GET /healthz', 'NONE'],
  ])('routes %s with authorisation %s', (routeKey, authorizationType) => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: routeKey,
      AuthorizationType: authorizationType,
    });
  });

  it('has no other routes', () => {
    // Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 5);
  });

  it('sends hooks and the liveness probe to the ingress, registration to register and the rest to management', () => {
    // Prepare
    const integrationOf = (routeKey: string) => {
      const route = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).find(
        (candidate) => candidate.Properties.RouteKey === routeKey,
      );
      if (!route) throw new Error(`no route ${routeKey}`);
      const integrationId = (route.Properties.Target['Fn::Join'][1][1] as { Ref: string }).Ref;
      return template.toJSON().Resources[integrationId].Properties.IntegrationUri;
    };

    // Assess
    expect(integrationOf('POST /v1/hooks/{agentId}/{sourceId}')).toEqual(arnOf(stack.relay.ingress.function));
    expect(integrationOf('GET /v1/hooks/{agentId}/{sourceId}')).toEqual(arnOf(stack.relay.ingress.function));
    expect(integrationOf('POST /v1/register')).toEqual(arnOf(stack.identity.register.function));
    expect(integrationOf('ANY /v1/{proxy+}')).toEqual(arnOf(stack.management.management.function));
    expect(integrationOf('GET /healthz')).toEqual(arnOf(stack.relay.ingress.function));
  });

  it('lets API Gateway invoke the ingress for the liveness probe only as GET /healthz of this API', () => {
    // Act
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (permission) =>
        JSON.stringify(permission.Properties.FunctionName) ===
          JSON.stringify(arnOf(stack.relay.ingress.function)) &&
        JSON.stringify(permission.Properties.SourceArn).includes('/healthz'),
    );

    // Assess
    expect(permissions).toHaveLength(1);
    expect(permissions[0]?.Properties.Principal).toBe('apigateway.amazonaws.com');
    expect(JSON.stringify(permissions[0]?.Properties.SourceArn)).toContain(
      JSON.stringify({ Ref: idOf(stack.relay.api) }).slice(1, -1),
    );
    expect(JSON.stringify(permissions[0]?.Properties.SourceArn)).toMatch(/\/\*\/\*\/healthz"/);
  });

  it('logs every request as JSON metadata to an encrypted group, without query strings or bodies', () => {
    // Act
    const settings = resourceOf(stack.relay.stage).Properties.AccessLogSettings;
    const format = JSON.parse(settings.Format) as Record<string, string>;

    // Assess
    expect(settings.DestinationArn).toEqual(arnOf(stack.relay.accessLogs));
    expect(format.requestId).toBe('$context.requestId');
    expect(format.caller).toBe('$context.identity.userArn');
    expect(settings.Format).not.toMatch(/requestUri|querystring|body|header/i);
  });

  it('throttles the stage, and registration and the liveness probe more tightly still', () => {
    // Act
    const properties = resourceOf(stack.relay.stage).Properties;

    // Assess
    expect(properties.StageName).toBe('$default');
    expect(properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(properties.RouteSettings).toEqual({
      'POST /v1/register': { ThrottlingRateLimit: 1, ThrottlingBurstLimit: 5 },
      'GET /healthz': { ThrottlingRateLimit: 2, ThrottlingBurstLimit: 10 },
    });
  });
});

describe('IoT', () => {
  const policyDocument = () => resourceOf(stack.identity.iotPolicy).Properties.PolicyDocument;
  const flat = (value: unknown) =>
    JSON.stringify(value).replace(
      /\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":iot:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":([^"]*)"\]\]\}/g,
      '"$1"',
    );
  const statement = (sid: string) =>
    JSON.parse(flat((policyDocument().Statement as { Sid: string }[]).find((s) => s.Sid === sid)));

  it('lets a certificate connect only as its attached thing', () => {
    // Assess
    expect(statement('ConnectAsOwnThing')).toEqual({
      Sid: 'ConnectAsOwnThing',
      Effect: 'Allow',
      Action: 'iot:Connect',
      Resource: `client/${THING}`,
      Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
    });
  });

  it('lets an agent publish only its own acks and certificate requests', () => {
    // Assess
    expect(statement('PublishAcksAndCsrs').Resource).toEqual([
      `topic/clawpulsar/${THING}/acks`,
      `topic/clawpulsar/${THING}/cert/csr`,
    ]);
  });

  it('lets an agent subscribe to and receive only its own deliveries, alerts, control and issued certificates', () => {
    // Prepare
    const own = ['deliveries', 'alerts', 'control', 'cert/issued'].map(
      (topic) => `clawpulsar/${THING}/${topic}`,
    );

    // Assess
    expect(statement('SubscribeOwnTopics').Resource).toEqual(own.map((topic) => `topicfilter/${topic}`));
    expect(statement('ReceiveOwnTopics').Resource).toEqual(own.map((topic) => `topic/${topic}`));
    for (const sid of ['PublishAcksAndCsrs', 'SubscribeOwnTopics', 'ReceiveOwnTopics']) {
      expect(statement(sid).Condition).toEqual({ Bool: { 'iot:Connection.Thing.IsAttached': 'true' } });
    }
  });

  it('grants nothing else and no wildcard at all', () => {
    // Assess
    expect(policyDocument().Statement).toHaveLength(4);
    expect(flat(policyDocument())).not.toMatch(/[*#+]/);
  });

  it.each([
    [
      'acks',
      "SELECT encode(*, 'base64') AS payloadBase64, clientid() AS clientId, topic(2) AS topicAgentId, timestamp() AS receivedAt FROM 'clawpulsar/+/acks'",
      () => stack.identity.ack,
    ],
    [
      'csr',
      "SELECT encode(*, 'base64') AS payloadBase64, clientid() AS clientId, topic(2) AS topicAgentId, timestamp() AS receivedAt FROM 'clawpulsar/+/cert/csr'",
      () => stack.identity.renew,
    ],
    ['presence', "SELECT * FROM '$aws/events/presence/+/+'", () => stack.identity.presence],
  ] as const)(
    'routes %s with the contract’s SQL to its function, errors to a log group',
    (name, sql, target) => {
      // Act
      const payload = resourceOf(stack.identity.rules[name]).Properties.TopicRulePayload;

      // Assess
      expect(payload.Sql).toBe(sql);
      expect(payload.AwsIotSqlVersion).toBe('2016-03-23');
      expect(payload.RuleDisabled).toBe(false);
      expect(payload.Actions).toEqual([{ Lambda: { FunctionArn: arnOf(target().function) } }]);
      expect(payload.ErrorAction.CloudwatchLogs.LogGroupName).toEqual(ref(stack.identity.ruleErrorLogs));
    },
  );

  it('lets IoT Core invoke each rule’s function only from that rule', () => {
    // Assess
    for (const name of ['acks', 'csr', 'presence'] as const) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Principal: 'iot.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [idOf(stack.identity.rules[name]), 'Arn'] },
      });
    }
  });

  it('bootstraps the CA through the provider with the CA key', () => {
    // Assess
    template.hasResourceProperties('Custom::ClawPulsarCa', {
      CaSigningKeyArn: arnOf(stack.keys.caKey),
    });
  });

  it('looks up the ATS data endpoint at deploy time', () => {
    // Act
    const lookup = Object.values(template.findResources('Custom::ClawPulsarIotEndpoint'))[0];

    // Assess
    expect(JSON.parse(lookup?.Properties.Create)).toMatchObject({
      service: 'Iot',
      action: 'DescribeEndpoint',
      parameters: { endpointType: 'iot:Data-ATS' },
    });
  });

  it('sweeps certificates every hour', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ Arn: arnOf(stack.identity.certificateSweeper.function) })],
    });
  });
});

describe('operations and outputs', () => {
  it('encrypts the alerts topic, refuses plain-HTTP publishing and emails the configured address', () => {
    // Assess
    expect(resourceOf(stack.operations.alertsTopic).Properties.KmsMasterKeyId).toEqual(
      arnOf(stack.keys.dataKey),
    );
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('notifies the alerts topic from every alarm', () => {
    // Act
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));

    // Assess
    expect(alarms.length).toBe(4);
    for (const alarm of alarms)
      expect(alarm.Properties.AlarmActions).toEqual([ref(stack.operations.alertsTopic)]);
  });

  it('exports what the CLI reads, under the names in stackOutputs.ts', () => {
    // Act
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    expect(Object.keys(outputs).sort()).toEqual(
      Object.values(STACK_OUTPUTS)
        .filter((name) => name !== STACK_OUTPUTS.customDomainTarget)
        .sort(),
    );
    expect(JSON.stringify(outputs[STACK_OUTPUTS.webhookBaseUrl]?.Value)).toContain('/v1/hooks');
    expect(JSON.stringify(outputs[STACK_OUTPUTS.managementApiUrl]?.Value)).toContain('ApiEndpoint');
  });

  it('synthesizes without an account or region: the template is environment-agnostic', () => {
    // Assess
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/\b\d{12}\b/);
  });
});
