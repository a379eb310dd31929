import { randomUUID } from 'node:crypto';

/**
 * Factories for the events AWS hands the Lambda handlers, in their documented shapes: API Gateway HTTP
 * API payload format 2.0, SQS event source records (see FakeSqs), IoT topic-rule outputs of the SQL in
 * lambdas/handlers/env.ts, IoT lifecycle events, EventBridge scheduled events and the custom-resource
 * Provider framework's onEvent input.
 */

export interface HttpEventInput {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQueryString?: string;
  /** As API Gateway passes them: names lower-cased, repeated headers already joined with commas. */
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
  /** Bytes are sent base64-encoded, as API Gateway does for any body it doesn't treat as text. */
  readonly body?: string | Uint8Array;
  readonly routeKey?: string;
  readonly pathParameters?: Record<string, string>;
  readonly domainName?: string;
  readonly iamUserArn?: string;
}

/** An API Gateway HTTP API (payload format 2.0) request event. */
export function httpApiEvent(input: HttpEventInput) {
  const binary = input.body instanceof Uint8Array;
  const domainName = input.domainName ?? 'a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
  return {
    version: '2.0',
    routeKey: input.routeKey ?? `${input.method} ${input.rawPath}`,
    rawPath: input.rawPath,
    rawQueryString: input.rawQueryString ?? '',
    ...(input.cookies ? { cookies: input.cookies } : {}),
    headers: {
      host: domainName,
      'user-agent': 'GitHub-Hookshot/abc1234',
      'x-amzn-trace-id': 'Root=1-5e8c3f8a-2b3c4d5e6f7a8b9c0d1e2f3a',
      'x-forwarded-for': '192.0.2.10',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...input.headers,
    },
    ...(input.rawQueryString
      ? { queryStringParameters: Object.fromEntries(new URLSearchParams(input.rawQueryString)) }
      : {}),
    requestContext: {
      accountId: '111122223333',
      apiId: domainName.split('.')[0],
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method: input.method,
        path: input.rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.10',
        userAgent: 'GitHub-Hookshot/abc1234',
      },
      requestId: randomUUID(),
      routeKey: input.routeKey ?? `${input.method} ${input.rawPath}`,
      stage: '$default',
      time: '12/Mar/2026:19:03:58 +0000',
      timeEpoch: Date.now(),
      ...(input.iamUserArn
        ? {
            authorizer: {
              iam: {
                accessKey: 'AKIAEXAMPLE',
                accountId: '111122223333',
                callerId: 'AIDAEXAMPLE',
                principalOrgId: null,
                userArn: input.iamUserArn,
                userId: 'AIDAEXAMPLE',
              },
            },
          }
        : {}),
    },
    ...(input.pathParameters ? { pathParameters: input.pathParameters } : {}),
    ...(input.body === undefined
      ? { isBase64Encoded: false }
      : binary
        ? { body: Buffer.from(input.body as Uint8Array).toString('base64'), isBase64Encoded: true }
        : { body: input.body as string, isBase64Encoded: false }),
  };
}

/** A webhook POST to `/v1/hooks/{agentId}/{sourceId}`. */
export function webhookEvent(
  agentId: string,
  sourceId: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
  extra: Partial<HttpEventInput> = {},
) {
  return httpApiEvent({
    method: 'POST',
    rawPath: `/v1/hooks/${agentId}/${sourceId}`,
    routeKey: 'POST /v1/hooks/{agentId}/{sourceId}',
    pathParameters: { agentId, sourceId },
    headers,
    body,
    ...extra,
  });
}

/**
 * What a topic rule `SELECT encode(*, 'base64') AS payloadBase64, clientid() AS clientId, topic(2) AS
 * topicAgentId, timestamp() AS receivedAt FROM '…'` passes to Lambda for a message `payload` that client
 * `clientId` published on `topic`.
 */
export function iotRuleEvent(clientId: string, topic: string, payload: Uint8Array | string) {
  return {
    payloadBase64: Buffer.from(payload).toString('base64'),
    clientId,
    topicAgentId: topic.split('/')[1] ?? '',
    receivedAt: Date.now(),
  };
}

export interface LifecycleInput {
  readonly clientId: string;
  readonly eventType: 'connected' | 'disconnected';
  readonly timestamp: number;
  readonly sessionIdentifier: string;
  readonly principalIdentifier: string;
  readonly versionNumber?: number;
  readonly disconnectReason?: string;
}

/** An IoT Core lifecycle event as published on `$aws/events/presence/{eventType}/{clientId}`. */
export function lifecycleEvent(input: LifecycleInput) {
  return {
    clientId: input.clientId,
    timestamp: input.timestamp,
    eventType: input.eventType,
    sessionIdentifier: input.sessionIdentifier,
    principalIdentifier: input.principalIdentifier,
    ipAddress: '192.0.2.0',
    versionNumber: input.versionNumber ?? 0,
    ...(input.eventType === 'disconnected'
      ? {
          clientInitiatedDisconnect: input.disconnectReason === 'CLIENT_INITIATED_DISCONNECT',
          disconnectReason: input.disconnectReason ?? 'CONNECTION_LOST',
        }
      : {}),
  };
}

/** An EventBridge scheduled event. */
export function scheduledEvent() {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '111122223333',
    time: new Date().toISOString(),
    region: 'eu-west-1',
    resources: ['arn:aws:events:eu-west-1:111122223333:rule/clawpulsar-certificate-sweeper'],
    detail: {},
  };
}

/** The Provider framework's onEvent input for a custom resource request. */
export function customResourceEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  properties: Record<string, string>,
  extra: { PhysicalResourceId?: string; OldResourceProperties?: Record<string, string> } = {},
) {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:provider-framework-onEvent',
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/…',
    StackId:
      'arn:aws:cloudformation:eu-west-1:111122223333:stack/ClawPulsar/00000000-0000-0000-0000-000000000000',
    RequestId: randomUUID(),
    LogicalResourceId: 'IssuingCa',
    ResourceType: 'Custom::IssuingCa',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:…', ...properties },
    ...extra,
  };
}
