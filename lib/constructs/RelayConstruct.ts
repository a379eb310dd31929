import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DISPATCHER_TIMEOUT_SECONDS,
  ENVELOPE_OBJECT_EXPIRY_DAYS,
  ENVELOPE_OBJECT_PREFIX,
  ENVELOPE_QUEUE_RETENTION_SECONDS,
  ENVELOPE_QUEUE_VISIBILITY_SECONDS,
} from '../../lambdas/adapters/aws/queueSettings.ts';
import type { TableName } from '../../lambdas/adapters/aws/tableDefinitions.ts';
import { HEALTH_PATH } from '../../lambdas/core/health/healthResponse.ts';
import { dispatcherEnv, ingressEnv } from '../../lambdas/handlers/env.ts';
import {
  bucketKeyStatement,
  iotArn,
  queueConsumerAccess,
  queueKeyStatement,
  secretsKeyStatement,
  tableAccess,
} from '../permissions.ts';
import { connectQueueConsumer } from './connectQueueConsumer.ts';
import { type FunctionSettings, HandlerFunction } from './HandlerFunction.ts';
import type { OperationsConstruct } from './OperationsConstruct.ts';

/** The KMS encryption-context purpose of source secrets (lambdas/core/sources/sourceSecrets.ts). */
export const SOURCE_SECRETS_PURPOSE = 'source-secrets';

/** Routes on the public HTTP API. */
export const ROUTES = {
  hooks: '/v1/hooks/{agentId}/{sourceId}',
  register: '/v1/register',
  management: '/v1/{proxy+}',
  health: HEALTH_PATH,
} as const;

/** The registration route's own throttle: it signs certificates and creates IoT things. */
export const REGISTER_THROTTLE = { rateLimit: 1, burstLimit: 5 } as const;

/**
 * The liveness route's own throttle: enough for `clawpulsar doctor` on every agent and an uptime monitor,
 * while a stranger polling it can't run up Lambda invocations or take the ingress's concurrency.
 */
export const HEALTH_THROTTLE = { rateLimit: 2, burstLimit: 10 } as const;

/** Dispatcher concurrency: SQS pollers never start more invocations than this. */
export const DISPATCHER_MAX_CONCURRENCY = 5;

export interface RelayConstructProps {
  readonly settings: FunctionSettings;
  readonly tables: Readonly<Record<TableName, dynamodb.ITable>>;
  readonly operations: OperationsConstruct;
  readonly iotEndpoint: string;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /** Custom domain for public routes, with its ACM certificate in the stack's region. */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
}

/**
 * The relay's data path: the HTTP API, the ingress function that verifies and seals webhooks, the
 * envelope queue (SQS, SSE-KMS, TLS only) with its claim-check bucket for envelopes too large for a
 * message, and the dispatcher that publishes queued envelopes to agents over IoT Core.
 *
 * No dead-letter queue on the envelope queue, on purpose. The 72 h promise is kept by the dispatcher: it
 * reads each envelope's own `receivedAt` on every receive and records it as expired at 72 h. An envelope
 * is received once per backoff step by design, so a `maxReceiveCount` would move live envelopes away;
 * and a DLQ would hold envelopes SQS had given up on without anyone recording them, while redriving them
 * back would start a new retention period counted from the redrive, not from receipt. The queue keeps
 * messages slightly longer than 72 h (queueSettings.ts) so the dispatcher, not SQS, ends every envelope.
 */
export class RelayConstruct extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly envelopeQueue: sqs.Queue;
  readonly envelopeBucket: s3.Bucket;
  readonly ingress: HandlerFunction;
  readonly dispatcher: HandlerFunction;
  readonly accessLogs: logs.LogGroup;
  /** Base URL providers and agents see (custom domain or the API's own endpoint), no trailing slash. */
  readonly publicBaseUrl: string;
  /** The API's own endpoint; management calls are SigV4-signed for this host. */
  readonly apiEndpoint: string;
  readonly domainName?: apigwv2.DomainName;
  readonly #iamAuthorizer = new HttpIamAuthorizer();

  constructor(scope: Construct, id: string, props: RelayConstructProps) {
    super(scope, id);
    const { settings, tables } = props;
    const dataKey = settings.keys.dataKey;

    this.envelopeQueue = new sqs.Queue(this, 'EnvelopeQueue', {
      retentionPeriod: Duration.seconds(ENVELOPE_QUEUE_RETENTION_SECONDS),
      visibilityTimeout: Duration.seconds(ENVELOPE_QUEUE_VISIBILITY_SECONDS),
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: dataKey,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const noDlq =
      'No dead-letter queue by design: envelopes are received once per backoff step, so a maxReceiveCount ' +
      'would move live ones away; the dispatcher records every envelope as delivered or expired at 72 h from ' +
      'its receivedAt, and a DLQ redrive would restart retention from the redrive.';
    Validations.of(this.envelopeQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: noDlq });
    Validations.of(this.envelopeQueue).acknowledge({ id: 'NIST.800.53.R5-SQSQueueDLQ', reason: noDlq });
    Validations.of(this.envelopeQueue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: noDlq });

    this.envelopeBucket = new s3.Bucket(this, 'EnvelopeBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: dataKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // Unversioned: a delete (on ack or expiry) removes the only copy; versions would keep ciphertext on.
      versioned: false,
      lifecycleRules: [
        {
          id: 'expire-claim-checks',
          prefix: ENVELOPE_OBJECT_PREFIX,
          expiration: Duration.days(ENVELOPE_OBJECT_EXPIRY_DAYS),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // Retained on destroy: a bucket with objects can't be deleted by CloudFormation, and what is left is
      // sealed ciphertext that the lifecycle rule still expires within days (docs/aws.md).
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.#acknowledgeBucket();

    this.accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: settings.logRetention,
      encryptionKey: dataKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'ClawPulsar: provider webhooks, agent registration, management (IAM)',
      createDefaultStage: false,
    });
    this.apiEndpoint = this.api.apiEndpoint;
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: apigateway.AccessLogFormat.custom(
          // Metadata only: no query string, no headers, no body. The caller's ARN audits management calls.
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            path: '$context.path',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            caller: '$context.identity.userArn',
          }),
        ),
      },
    });

    if (props.customDomain) {
      this.domainName = new apigwv2.DomainName(this, 'DomainName', {
        domainName: props.customDomain.domainName,
        certificate: acm.Certificate.fromCertificateArn(
          this,
          'Certificate',
          props.customDomain.certificateArn,
        ),
        securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
      });
      new apigwv2.ApiMapping(this, 'ApiMapping', {
        api: this.api,
        domainName: this.domainName,
        stage: this.stage,
      });
      this.publicBaseUrl = `https://${props.customDomain.domainName}`;
    } else {
      this.publicBaseUrl = this.apiEndpoint;
    }

    this.ingress = new HandlerFunction(this, 'Ingress', {
      handler: 'ingress',
      description:
        'Verifies provider webhooks over the raw bytes, seals them to the agent and queues ciphertext',
      schema: ingressEnv,
      environment: {
        AGENTS_TABLE: tables.agents.tableName,
        SOURCES_TABLE: tables.sources.tableName,
        DEDUPE_TABLE: tables.dedupe.tableName,
        DELIVERY_LOG_TABLE: tables.deliveryLog.tableName,
        ENVELOPE_QUEUE_URL: this.envelopeQueue.queueUrl,
        ENVELOPE_BUCKET: this.envelopeBucket.bucketName,
        DATA_KEY_ARN: dataKey.keyArn,
        ...(props.customDomain ? { PUBLIC_BASE_URL: this.publicBaseUrl } : {}),
      },
      // Memory buys CPU: verification and HPKE sealing answer in well under a second at 512 MB.
      memorySize: 512,
      timeout: Duration.seconds(10),
      reservedConcurrency: 20,
      usesDataKey: true,
      settings,
      statements: [
        ...tableAccess(dataKey, ['dynamodb:GetItem'], [tables.agents, tables.sources]),
        ...tableAccess(dataKey, ['dynamodb:PutItem', 'dynamodb:DeleteItem'], [tables.dedupe]),
        ...tableAccess(dataKey, ['dynamodb:UpdateItem'], [tables.deliveryLog]),
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.envelopeQueue.queueArn] }),
        queueKeyStatement(dataKey, this.envelopeQueue, ['kms:GenerateDataKey', 'kms:Decrypt']),
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: [this.envelopeBucket.arnForObjects(`${ENVELOPE_OBJECT_PREFIX}*`)],
        }),
        bucketKeyStatement(dataKey, this.envelopeBucket, ['kms:GenerateDataKey']),
        secretsKeyStatement(dataKey, ['kms:Decrypt'], SOURCE_SECRETS_PURPOSE),
      ],
    });
    const ingressIntegration = new HttpLambdaIntegration('IngressIntegration', this.ingress.function);
    for (const method of [apigwv2.HttpMethod.POST, apigwv2.HttpMethod.GET]) {
      this.addPublicRoute(
        `Hooks${method}`,
        method,
        ROUTES.hooks,
        ingressIntegration,
        'Providers authenticate by signing each request; the ingress verifies the signature over the raw ' +
          'bytes before anything is stored, and a failed verification changes nothing (401).',
      );
    }
    // The ingress answers the liveness probe without touching a table, key or queue (lambdas/handlers/
    // ingress.ts): it is the function the public routes depend on, and it has the concurrency to spare.
    const healthRoute = this.addPublicRoute(
      'Health',
      apigwv2.HttpMethod.GET,
      ROUTES.health,
      ingressIntegration,
      'A liveness probe for `clawpulsar doctor` and uptime monitors: it answers {"status":"ok"} and reveals ' +
        'no version, id or state, reads and writes nothing, and has its own tight throttle.',
    );
    this.throttleRoute(healthRoute, `GET ${ROUTES.health}`, HEALTH_THROTTLE);

    this.dispatcher = new HandlerFunction(this, 'Dispatcher', {
      handler: 'dispatcher',
      description: 'Publishes queued envelopes to agents over IoT Core and records expiry at 72 h',
      schema: dispatcherEnv,
      environment: {
        IN_FLIGHT_TABLE: tables.inFlight.tableName,
        PRESENCE_TABLE: tables.presence.tableName,
        DELIVERY_LOG_TABLE: tables.deliveryLog.tableName,
        ENVELOPE_QUEUE_URL: this.envelopeQueue.queueUrl,
        ENVELOPE_BUCKET: this.envelopeBucket.bucketName,
        IOT_ENDPOINT: props.iotEndpoint,
      },
      memorySize: 256,
      timeout: Duration.seconds(DISPATCHER_TIMEOUT_SECONDS),
      reservedConcurrency: DISPATCHER_MAX_CONCURRENCY,
      usesDataKey: true,
      settings,
      statements: [
        ...queueConsumerAccess(dataKey, this.envelopeQueue),
        ...tableAccess(
          dataKey,
          ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          [tables.inFlight],
        ),
        ...tableAccess(dataKey, ['dynamodb:GetItem'], [tables.presence]),
        ...tableAccess(dataKey, ['dynamodb:UpdateItem'], [tables.deliveryLog]),
        new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:DeleteObject'],
          resources: [this.envelopeBucket.arnForObjects(`${ENVELOPE_OBJECT_PREFIX}*`)],
        }),
        bucketKeyStatement(dataKey, this.envelopeBucket, ['kms:Decrypt']),
        new iam.PolicyStatement({
          actions: ['iot:Publish'],
          resources: [iotArn('topic/clawpulsar/*/deliveries')],
        }),
      ],
    });
    connectQueueConsumer(this, 'DispatcherQueueMapping', {
      consumer: this.dispatcher,
      queue: this.envelopeQueue,
      batchSize: 10,
      maxConcurrency: DISPATCHER_MAX_CONCURRENCY,
      noDestinationReason:
        'SQS event sources take no on-failure destination: a failed record stays in the queue (partial batch ' +
        'responses) and the dispatcher records it as expired 72 h after receipt.',
    });

    props.operations.alarm(
      'ApiServerErrors',
      this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      'The HTTP API answered 5xx (ingress, registration or management failed); providers will retry.',
    );
    props.operations.alarm(
      'DispatcherErrors',
      this.dispatcher.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      'The dispatcher failed; envelopes stay queued and are retried until 72 h after receipt.',
    );
  }

  /** A route without an authoriser; `reason` names the credential the handler checks instead. */
  addPublicRoute(
    id: string,
    method: apigwv2.HttpMethod,
    path: string,
    integration: apigwv2.HttpRouteIntegration,
    reason: string,
  ): apigwv2.HttpRoute {
    const route = new apigwv2.HttpRoute(this, `${id}Route`, {
      httpApi: this.api,
      routeKey: apigwv2.HttpRouteKey.with(path, method),
      integration,
    });
    Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    return route;
  }

  /** A route behind the IAM (SigV4) authoriser. */
  addIamRoute(
    id: string,
    method: apigwv2.HttpMethod,
    path: string,
    integration: apigwv2.HttpRouteIntegration,
  ): apigwv2.HttpRoute {
    return new apigwv2.HttpRoute(this, `${id}Route`, {
      httpApi: this.api,
      routeKey: apigwv2.HttpRouteKey.with(path, method),
      integration,
      authorizer: this.#iamAuthorizer,
    });
  }

  /** A tighter throttle on one route than the stage default. */
  throttleRoute(
    route: apigwv2.HttpRoute,
    routeKey: string,
    limits: { readonly rateLimit: number; readonly burstLimit: number },
  ): void {
    const stage = this.stage.node.defaultChild as apigwv2.CfnStage;
    // RouteSettings is free-form JSON in CloudFormation: CDK passes it through, so the keys are PascalCase.
    const existing = (stage.routeSettings ?? {}) as Record<string, unknown>;
    stage.routeSettings = {
      ...existing,
      [routeKey]: { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit },
    };
    // API Gateway refuses route settings for a route key that doesn't exist yet.
    this.stage.node.addDependency(route);
  }

  #acknowledgeBucket(): void {
    const acks = Validations.of(this.envelopeBucket);
    const ciphertextOnly =
      'The bucket holds only HPKE-sealed claim checks, written and read by two functions whose roles name the ' +
      'envelopes/ prefix; CloudTrail records every API call on it.';
    acks.acknowledge({
      id: 'AwsSolutions-S1',
      reason: `${ciphertextOnly} Server access logs would add a second bucket with nothing to audit beyond that.`,
    });
    acks.acknowledge({
      id: 'NIST.800.53.R5-S3BucketLoggingEnabled',
      reason: `${ciphertextOnly} Server access logs would add a second bucket with nothing to audit beyond that.`,
    });
    acks.acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason:
        'Claim checks live at most a few days and the queue message that points at them is not replicated ' +
        'either; a replica would only be a second copy of ciphertext to delete.',
    });
    acks.acknowledge({
      id: 'NIST.800.53.R5-S3BucketVersioningEnabled',
      reason:
        'Unversioned on purpose: deleting a claim check on ack or expiry must remove the only copy; versions ' +
        'would keep ciphertext after the envelope is gone.',
    });
  }
}
