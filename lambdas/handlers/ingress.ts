import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import { DynamoAgentRepository } from '../adapters/aws/DynamoAgentRepository.ts';
import { DynamoDedupeStore } from '../adapters/aws/DynamoDedupeStore.ts';
import { DynamoDeliveryLog } from '../adapters/aws/DynamoDeliveryLog.ts';
import { DynamoSourceRepository } from '../adapters/aws/DynamoSourceRepository.ts';
import { KmsKeyCustody } from '../adapters/aws/KmsKeyCustody.ts';
import { S3EnvelopeStore } from '../adapters/aws/S3EnvelopeStore.ts';
import { SqsEnvelopeQueue } from '../adapters/aws/SqsEnvelopeQueue.ts';
import { HEALTH_PATH, healthResponse } from '../core/health/healthResponse.ts';
import { handleIngress, type IngressDeps } from '../core/ingress/handleIngress.ts';
import { createSourceDirectory } from '../core/sources/createSourceDirectory.ts';
import { timeOrderedId } from '../core/timeOrderedId.ts';
import { ingressEnv, loadEnv } from './env.ts';
import {
  type ApiGatewayV2Result,
  httpResult,
  jsonResult,
  parseApiGatewayEvent,
  toWebhookRequest,
} from './support/apiGatewayEvent.ts';
import { httpErrors } from './support/httpErrors.ts';
import { lambdaLogger } from './support/lambdaLogger.ts';

const env = loadEnv(ingressEnv);
const logger = lambdaLogger('ingress');
const clock = { now: Date.now };
const dynamo = new DynamoDBClient({});
const custody = new KmsKeyCustody(new KMSClient({}), env.DATA_KEY_ARN);

/**
 * The ingress wiring: the shared core pipeline over DynamoDB, KMS, SQS and S3. The source directory
 * caches decrypted secrets for 60 s per container, so a rotated secret takes effect within a minute
 * (management runs in another function and can't invalidate this cache).
 */
const deps: IngressDeps = {
  sources: createSourceDirectory({
    agents: new DynamoAgentRepository(dynamo, env.AGENTS_TABLE),
    sources: new DynamoSourceRepository(dynamo, env.SOURCES_TABLE),
    custody,
    clock,
  }),
  dedupe: new DynamoDedupeStore(dynamo, env.DEDUPE_TABLE, clock),
  queue: new SqsEnvelopeQueue(
    new SQSClient({}),
    env.ENVELOPE_QUEUE_URL,
    new S3EnvelopeStore(env.ENVELOPE_BUCKET, env.DATA_KEY_ARN),
  ),
  deliveryLog: new DynamoDeliveryLog(dynamo, env.DELIVERY_LOG_TABLE, clock),
  clock,
  logger,
  newId: () => timeOrderedId(),
};

/** The stack routes its liveness probe here (lib/constructs/RelayConstruct.ts). */
const HEALTH_ROUTE_KEY = `GET ${HEALTH_PATH}`;

/**
 * `POST|GET /v1/hooks/{agentId}/{sourceId}` (API Gateway HTTP API, payload format 2.0, no authoriser):
 * the raw body bytes and the public URL go to the core ingress, which verifies, dedupes, seals and
 * queues — and answers 2xx only once the envelope is in SQS. `GET /healthz` is answered here too, as the
 * local edge answers it, touching no table, key or queue.
 *
 * @example
 * // POST https://abc.execute-api.eu-west-1.amazonaws.com/v1/hooks/laptop/github
 * // GET  https://abc.execute-api.eu-west-1.amazonaws.com/healthz  → 200 {"status":"ok"}
 */
export const handler = middy<unknown, ApiGatewayV2Result>()
  .use(httpErrors(logger))
  .handler(async (raw) => {
    const event = parseApiGatewayEvent(raw);
    if (event.routeKey === HEALTH_ROUTE_KEY) {
      const health = healthResponse();
      return jsonResult(health.status, health.body);
    }
    const response = await handleIngress(
      deps,
      {
        agentId: safeDecode(event.pathParameters?.agentId ?? ''),
        sourceId: safeDecode(event.pathParameters?.sourceId ?? ''),
      },
      toWebhookRequest(event, env.PUBLIC_BASE_URL),
    );
    return httpResult(response.status, response.headers, response.body);
  });

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
