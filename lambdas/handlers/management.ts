import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { DynamoAgentRepository } from '../adapters/aws/DynamoAgentRepository.ts';
import { DynamoCertificateRepository } from '../adapters/aws/DynamoCertificateRepository.ts';
import { DynamoDeliveryLog } from '../adapters/aws/DynamoDeliveryLog.ts';
import { DynamoPresenceStore } from '../adapters/aws/DynamoPresenceStore.ts';
import { DynamoRegistrationTokenStore } from '../adapters/aws/DynamoRegistrationTokenStore.ts';
import { DynamoSourceRepository } from '../adapters/aws/DynamoSourceRepository.ts';
import type { ManagementDeps } from '../core/management/ManagementDeps.ts';
import { routeManagement } from '../core/management/routeManagement.ts';
import { loadEnv, managementEnv } from './env.ts';
import {
  type ApiGatewayV2Result,
  httpResult,
  jsonResult,
  parseApiGatewayEvent,
  readJsonBody,
} from './support/apiGatewayEvent.ts';
import { awsBudgetMonitor, budgetTablesOf } from './support/awsBudgetMonitor.ts';
import { deferredIotEnforcement } from './support/deferredIotEnforcement.ts';
import { deferredKmsCustody } from './support/deferredKmsCustody.ts';
import { httpErrors } from './support/httpErrors.ts';
import { lambdaLogger } from './support/lambdaLogger.ts';

const env = loadEnv(managementEnv);
const logger = lambdaLogger('management');
const clock = { now: Date.now };
const dynamo = new DynamoDBClient({});
const certificates = new DynamoCertificateRepository(dynamo, env.CERTIFICATES_TABLE);
// Only a revocation talks to IoT Core: its clients load with the first one.
const enforcement = deferredIotEnforcement({ certificates, iotEndpoint: env.IOT_ENDPOINT });
const deliveryLog = new DynamoDeliveryLog(dynamo, env.DELIVERY_LOG_TABLE, clock);
// Only storing or rotating a secret or a provider key talks to KMS: its client loads with the first one.
const custody = deferredKmsCustody(env.DATA_KEY_ARN);

const budgetTables = budgetTablesOf(env);

const deps: ManagementDeps = {
  agents: new DynamoAgentRepository(dynamo, env.AGENTS_TABLE),
  certificates,
  sources: new DynamoSourceRepository(dynamo, env.SOURCES_TABLE),
  deliveries: deliveryLog,
  presence: new DynamoPresenceStore(dynamo, env.PRESENCE_TABLE),
  custody,
  tokens: new DynamoRegistrationTokenStore(dynamo, env.REGISTRATION_TOKENS_TABLE),
  clock,
  logger,
  webhookBaseUrl: `${env.PUBLIC_BASE_URL}/v1/hooks`,
  ...(budgetTables
    ? {
        monitor: awsBudgetMonitor({
          tables: budgetTables,
          agentsTable: env.AGENTS_TABLE,
          custody,
          dynamo,
          clock,
          logger,
        }),
      }
    : {}),
  // Revocation: IoT refuses the agent's certificates from now on, then its live connection is cut.
  onAgentRevoked: async (agentId) => {
    for (const record of await certificates.listByAgent(agentId)) await enforcement.deactivate(record);
    await enforcement.disconnect(agentId);
  },
};

/**
 * `ANY /v1/{proxy+}` behind API Gateway's IAM authoriser (SigV4 with the operator's AWS credentials):
 * the shared management router. The caller's IAM ARN is logged for the audit trail.
 *
 * @example
 * // GET /v1/agents  (signed with SigV4, service execute-api)
 */
export const handler = middy<unknown, ApiGatewayV2Result>()
  .use(httpErrors(logger))
  .handler(async (raw) => {
    const event = parseApiGatewayEvent(raw);
    const method = event.requestContext.http.method.toUpperCase();
    logger.info('management_request', {
      method,
      path: event.rawPath,
      caller: event.requestContext.authorizer?.iam?.userArn ?? 'unknown',
    });
    const response = await routeManagement(deps, {
      method,
      path: event.rawPath,
      query: new URLSearchParams(event.rawQueryString),
      body: method === 'GET' || method === 'DELETE' ? undefined : readJsonBody(event),
    });
    if (response.contentType !== undefined) {
      return httpResult(response.status, { 'content-type': response.contentType }, String(response.body));
    }
    return jsonResult(response.status, response.body);
  });
