import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ClawPulsarError } from '../core/errors.ts';

/**
 * The environment contract between the Lambda handlers and the CDK stack: one zod schema per handler.
 * Each handler calls `loadEnv(schema)` at module load, so a missing or malformed variable fails the cold
 * start loudly (the function never serves a request half-configured).
 *
 * Tables are described once, in `lambdas/adapters/aws/tableDefinitions.ts` (key schema, GSIs, TTL
 * attribute); the stack builds its tables from that module. Queue settings are in
 * `lambdas/adapters/aws/queueSettings.ts`.
 *
 * The schemas use zod/mini, zod's functional API over the same core: they only ever run in a Lambda, and
 * a handler whose other code needs no zod (the certificate sweeper) then bundles 17 KB of zod instead of
 * the 83 KB of zod's classic API, a fifth less code to compile at its hourly cold start.
 *
 * Handlers, triggers, variables and permissions (resources by the variable that names them):
 *
 * - `lambdas/handlers/ingress.ts` — `handler`. API Gateway HTTP API (payload format 2.0), route
 *   `POST /v1/hooks/{agentId}/{sourceId}` and `GET /v1/hooks/{agentId}/{sourceId}` (Meta's handshake), no
 *   authoriser (providers sign their requests). Env: `ingressEnv`. IAM: dynamodb:GetItem on
 *   AGENTS_TABLE, SOURCES_TABLE; dynamodb:PutItem, dynamodb:DeleteItem on DEDUPE_TABLE; dynamodb:UpdateItem
 *   on DELIVERY_LOG_TABLE; sqs:SendMessage on ENVELOPE_QUEUE_URL; s3:PutObject on
 *   ENVELOPE_BUCKET/envelopes/*; kms:Decrypt on DATA_KEY_ARN (source secrets); kms:GenerateDataKey on
 *   DATA_KEY_ARN (S3 SSE-KMS puts and, when the queue uses this key, SQS SSE-KMS sends).
 *
 * - `lambdas/handlers/register.ts` — `handler`. HTTP API route `POST /v1/register`, no authoriser (the
 *   one-time registration token in the body is the credential). Env: `registerEnv`. IAM:
 *   dynamodb:DeleteItem, dynamodb:PutItem on REGISTRATION_TOKENS_TABLE; dynamodb:GetItem, dynamodb:PutItem
 *   on AGENTS_TABLE; dynamodb:UpdateItem, dynamodb:GetItem, dynamodb:Query on CERTIFICATES_TABLE and its
 *   indexes; dynamodb:GetItem on CONFIG_TABLE; kms:GetPublicKey, kms:Sign on CA_SIGNING_KEY_ARN;
 *   iot:RegisterCertificate, iot:CreateThing, iot:AttachPolicy, iot:AttachThingPrincipal (cert/*,
 *   thing/*, policy/IOT_POLICY_NAME).
 *
 * - `lambdas/handlers/management.ts` — `handler`. HTTP API route `ANY /v1/{proxy+}` with the IAM
 *   authoriser (SigV4); the more specific public routes above win over the proxy. Env: `managementEnv`.
 *   IAM: dynamodb:GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan on AGENTS_TABLE, SOURCES_TABLE,
 *   CERTIFICATES_TABLE, REGISTRATION_TOKENS_TABLE (PutItem only), DELIVERY_LOG_TABLE (Query, GetItem),
 *   PRESENCE_TABLE (GetItem) and their indexes; kms:Encrypt, kms:Decrypt on DATA_KEY_ARN;
 *   iot:UpdateCertificate (cert/*) and iot:DeleteConnection (client/*) to cut a revoked agent off.
 *
 * - `lambdas/handlers/dispatcher.ts` — `handler`. SQS event source on ENVELOPE_QUEUE_URL with
 *   `reportBatchItemFailures: true` (batch size ≤ 10, no maximum batching window needed). Env:
 *   `dispatcherEnv`. IAM: the event source's sqs:ReceiveMessage, DeleteMessage, GetQueueAttributes,
 *   ChangeMessageVisibility on the queue; dynamodb:UpdateItem, GetItem, DeleteItem on IN_FLIGHT_TABLE;
 *   dynamodb:GetItem on PRESENCE_TABLE; dynamodb:UpdateItem on DELIVERY_LOG_TABLE; s3:GetObject,
 *   s3:DeleteObject on ENVELOPE_BUCKET/envelopes/*; kms:Decrypt on DATA_KEY_ARN; iot:Publish on
 *   topic/clawpulsar/*\/deliveries. No redrive policy (no DLQ) on the envelope queue: an envelope is
 *   received many times by design (once per backoff step), so a maxReceiveCount would move live
 *   envelopes away; the dispatcher itself records every expiry (see dispatcher.ts).
 *
 * - `lambdas/handlers/ack.ts` — `handler`. IoT topic rule, SQL version 2016-03-23:
 *   `SELECT encode(*, 'base64') AS payloadBase64, clientid() AS clientId, topic(2) AS topicAgentId,
 *   timestamp() AS receivedAt FROM 'clawpulsar/+/acks'`, Lambda action. Env: `ackEnv`. IAM:
 *   dynamodb:GetItem, UpdateItem on IN_FLIGHT_TABLE; dynamodb:UpdateItem on DELIVERY_LOG_TABLE;
 *   sqs:DeleteMessage on ENVELOPE_QUEUE_URL; s3:DeleteObject on ENVELOPE_BUCKET/envelopes/*.
 *
 * - `lambdas/handlers/renew.ts` — `handler`. IoT topic rule, SQL version 2016-03-23:
 *   `SELECT encode(*, 'base64') AS payloadBase64, clientid() AS clientId, topic(2) AS topicAgentId,
 *   timestamp() AS receivedAt FROM 'clawpulsar/+/cert/csr'`, Lambda action. Env: `renewEnv`. IAM:
 *   dynamodb:GetItem on AGENTS_TABLE, CONFIG_TABLE; dynamodb:UpdateItem, GetItem, Query on
 *   CERTIFICATES_TABLE and its indexes; kms:GetPublicKey, kms:Sign on CA_SIGNING_KEY_ARN;
 *   iot:RegisterCertificate, iot:CreateThing (the provisioner ensures the thing, as at registration),
 *   iot:AttachPolicy, iot:AttachThingPrincipal; iot:Publish on
 *   topic/clawpulsar/*\/cert/issued.
 *
 * - `lambdas/handlers/presence.ts` — `handler`. IoT topic rule, SQL version 2016-03-23:
 *   `SELECT * FROM '$aws/events/presence/+/+'`, Lambda action (connected and disconnected lifecycle
 *   events; out of order and duplicated deliveries are expected and safe). Env: `presenceEnv`. IAM:
 *   dynamodb:UpdateItem, GetItem on PRESENCE_TABLE; dynamodb:Query on IN_FLIGHT_TABLE index `byAgent`;
 *   dynamodb:GetItem on AGENTS_TABLE; dynamodb:Query, UpdateItem on CERTIFICATES_TABLE and its indexes;
 *   sqs:ChangeMessageVisibility on ENVELOPE_QUEUE_URL; iot:UpdateCertificate (cert/*);
 *   iot:DeleteConnection (client/*).
 *
 * - `lambdas/handlers/certificateSweeper.ts` — `handler`. EventBridge schedule, every hour. Env:
 *   `certificateSweeperEnv`. IAM: dynamodb:Scan, UpdateItem on CERTIFICATES_TABLE;
 *   iot:UpdateCertificate, iot:DetachThingPrincipal, iot:DetachPolicy, iot:DeleteCertificate (cert/*,
 *   thing/*, policy/IOT_POLICY_NAME).
 *
 * - `lambdas/handlers/caBootstrap.ts` — `handler`. CloudFormation custom resource through
 *   `custom-resources.Provider` (onEvent only; it returns `{ PhysicalResourceId, Data }`), resource
 *   properties `{ CaSigningKeyArn, CommonName?, LifetimeDays? }`; Data: `CaCertificateId`,
 *   `CaCertificateArn`. Env: `caBootstrapEnv`. IAM: kms:GetPublicKey, kms:Sign on CA_SIGNING_KEY_ARN;
 *   iot:RegisterCACertificate, iot:UpdateCACertificate, iot:DeleteCACertificate (cacert/*);
 *   dynamodb:GetItem, PutItem, DeleteItem on CONFIG_TABLE.
 *
 * Queue and bucket (values in queueSettings.ts): the envelope queue keeps messages 73 h
 * (ENVELOPE_QUEUE_RETENTION_SECONDS — the dispatcher, not SQS, ends each envelope at 72 h), default
 * visibility ENVELOPE_QUEUE_VISIBILITY_SECONDS, SSE-KMS with DATA_KEY_ARN, no redrive policy; messages
 * are built to fit 256 KiB, so MaximumMessageSize may stay at any value ≥ 256 KiB. The claim-check
 * bucket holds objects under ENVELOPE_OBJECT_PREFIX, SSE-KMS with DATA_KEY_ARN, and a lifecycle rule
 * expiring them after ENVELOPE_OBJECT_EXPIRY_DAYS. Tables: tableDefinitions.ts (TTL attribute `ttl`).
 *
 * - `lambdas/handlers/budgetPoller.ts` — `handler`. EventBridge Scheduler schedule (default
 *   `rate(5 minutes)`, context value `budgetPollMinutes`), Lambda target whose input is
 *   `{"source":"clawpulsar.budget-poll","scheduledTime":"<aws.scheduler.scheduled-time>",
 *   "executionId":"<aws.scheduler.execution-id>","scheduleArn":"<aws.scheduler.schedule-arn>",
 *   "attemptNumber":"<aws.scheduler.attempt-number>"}`. Env: `budgetPollerEnv`. IAM: dynamodb:Scan on
 *   PROVIDER_KEYS_TABLE (key ids only); sqs:SendMessage on BUDGET_POLL_QUEUE_URL (and kms:GenerateDataKey
 *   on its key). No KMS Decrypt: the poller never sees a key.
 *
 * - `lambdas/handlers/budgetWorker.ts` — `handler`. SQS event source on BUDGET_POLL_QUEUE_URL with
 *   `reportBatchItemFailures: true`, batch size 1 (a message carries up to 10 key ids), maximum
 *   concurrency sized so a thousand keys are polled within a minute. Env: `budgetWorkerEnv`. IAM:
 *   dynamodb:GetItem, UpdateItem on PROVIDER_KEYS_TABLE; dynamodb:Scan on BUDGETS_TABLE;
 *   dynamodb:Query, BatchWriteItem, PutItem on SPEND_HISTORY_TABLE and its index; dynamodb:PutItem,
 *   UpdateItem, DeleteItem on BUDGET_ALERTS_TABLE; dynamodb:GetItem, Scan on AGENTS_TABLE; kms:Decrypt on
 *   DATA_KEY_ARN only with `kms:EncryptionContext:purpose` = `provider-key` or `alert-webhook`;
 *   iot:Publish on topic/clawpulsar/*\/alerts; sns:Publish on BUDGET_ALERTS_TOPIC_ARN; outbound HTTPS to
 *   the providers' usage APIs and the budgets' alert webhooks.
 *
 * - The management function, when the budget monitor is deployed, also gets PROVIDER_KEYS_TABLE,
 *   BUDGETS_TABLE, SPEND_HISTORY_TABLE and BUDGET_ALERTS_TABLE (all four or none) and: dynamodb:GetItem,
 *   PutItem, UpdateItem, DeleteItem, Scan on PROVIDER_KEYS_TABLE and BUDGETS_TABLE; Query, Scan,
 *   BatchWriteItem on SPEND_HISTORY_TABLE and its index; Query on BUDGET_ALERTS_TABLE's index;
 *   kms:Encrypt on DATA_KEY_ARN with purpose `provider-key` or `alert-webhook`; outbound HTTPS (one
 *   usage call validates a key before it is stored).
 *
 * KMS keys: DATA_KEY_ARN is a symmetric customer-managed key (ENCRYPT_DECRYPT); encryption contexts hold
 * ids only (`purpose`, `agentId`, `sourceId`), so key policies may condition on
 * `kms:EncryptionContext:purpose`. CA_SIGNING_KEY_ARN is an asymmetric ECC_NIST_P256 SIGN_VERIFY key.
 *
 * @example
 * const env = loadEnv(ingressEnv);
 */

const tableName = z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name'));
const kmsKeyArn = z
  .string()
  .check(
    z.regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+$/, 'must be a KMS key ARN'),
  );
const queueUrl = z.url({ protocol: /^https$/ });
const bucketName = z
  .string()
  .check(z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'));
/** The account's IoT data endpoint (ATS), e.g. `abc123-ats.iot.eu-west-1.amazonaws.com`. */
const iotEndpoint = z
  .string()
  .check(z.regex(/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/, 'must be the IoT data (ATS) endpoint host name'));
const iotPolicyName = z.string().check(z.regex(/^[\w+=,.@-]{1,128}$/, 'must be an IoT policy name'));
/** Scheme and host only (a custom domain), without a trailing slash, e.g. `https://hooks.example.com`. */
const publicBaseUrl = z
  .url({ protocol: /^https$/ })
  .check(
    z.refine((url) => new URL(url).pathname === '/' && !url.endsWith('/'), 'must be https://host, no path'),
  );

/** `POST|GET /v1/hooks/{agentId}/{sourceId}`. */
export const ingressEnv = z.object({
  AGENTS_TABLE: tableName,
  SOURCES_TABLE: tableName,
  DEDUPE_TABLE: tableName,
  DELIVERY_LOG_TABLE: tableName,
  ENVELOPE_QUEUE_URL: queueUrl,
  ENVELOPE_BUCKET: bucketName,
  DATA_KEY_ARN: kmsKeyArn,
  /** Optional: the custom domain providers call; default `https://{requestContext.domainName}`. */
  PUBLIC_BASE_URL: z.optional(publicBaseUrl),
});

/** `POST /v1/register`. */
export const registerEnv = z.object({
  REGISTRATION_TOKENS_TABLE: tableName,
  AGENTS_TABLE: tableName,
  CERTIFICATES_TABLE: tableName,
  CONFIG_TABLE: tableName,
  CA_SIGNING_KEY_ARN: kmsKeyArn,
  IOT_ENDPOINT: iotEndpoint,
  IOT_POLICY_NAME: iotPolicyName,
  /** The HTTP API's URL (or custom domain) that webhook URLs are built on. */
  PUBLIC_BASE_URL: publicBaseUrl,
});

/** `ANY /v1/{proxy+}` behind IAM auth; the budget tables are there when the budget monitor is deployed. */
export const managementEnv = z.object({
  AGENTS_TABLE: tableName,
  CERTIFICATES_TABLE: tableName,
  SOURCES_TABLE: tableName,
  REGISTRATION_TOKENS_TABLE: tableName,
  DELIVERY_LOG_TABLE: tableName,
  PRESENCE_TABLE: tableName,
  DATA_KEY_ARN: kmsKeyArn,
  IOT_ENDPOINT: iotEndpoint,
  PUBLIC_BASE_URL: publicBaseUrl,
  PROVIDER_KEYS_TABLE: z.optional(tableName),
  BUDGETS_TABLE: z.optional(tableName),
  SPEND_HISTORY_TABLE: z.optional(tableName),
  BUDGET_ALERTS_TABLE: z.optional(tableName),
});

const topicArn = z
  .string()
  .check(z.regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN'));

/** The budget monitor's tables; the management function has them when the monitor is deployed. */
const budgetTables = {
  PROVIDER_KEYS_TABLE: tableName,
  BUDGETS_TABLE: tableName,
  SPEND_HISTORY_TABLE: tableName,
  BUDGET_ALERTS_TABLE: tableName,
};

/** EventBridge Scheduler → fan-out of key ids to the poll queue. */
export const budgetPollerEnv = z.object({
  PROVIDER_KEYS_TABLE: tableName,
  BUDGET_POLL_QUEUE_URL: queueUrl,
});

/** SQS event source on the poll queue: polls keys, evaluates budgets, sends alerts. */
export const budgetWorkerEnv = z.object({
  ...budgetTables,
  AGENTS_TABLE: tableName,
  DATA_KEY_ARN: kmsKeyArn,
  IOT_ENDPOINT: iotEndpoint,
  /** Email/SMS subscribers of budget alerts; optional. */
  BUDGET_ALERTS_TOPIC_ARN: z.optional(topicArn),
});

/** SQS event source on the envelope queue. */
export const dispatcherEnv = z.object({
  IN_FLIGHT_TABLE: tableName,
  PRESENCE_TABLE: tableName,
  DELIVERY_LOG_TABLE: tableName,
  ENVELOPE_QUEUE_URL: queueUrl,
  ENVELOPE_BUCKET: bucketName,
  IOT_ENDPOINT: iotEndpoint,
});

/** IoT rule on `clawpulsar/+/acks`. */
export const ackEnv = z.object({
  IN_FLIGHT_TABLE: tableName,
  DELIVERY_LOG_TABLE: tableName,
  ENVELOPE_QUEUE_URL: queueUrl,
  ENVELOPE_BUCKET: bucketName,
});

/** IoT rule on `clawpulsar/+/cert/csr`. */
export const renewEnv = z.object({
  AGENTS_TABLE: tableName,
  CERTIFICATES_TABLE: tableName,
  CONFIG_TABLE: tableName,
  CA_SIGNING_KEY_ARN: kmsKeyArn,
  IOT_ENDPOINT: iotEndpoint,
  IOT_POLICY_NAME: iotPolicyName,
});

/** IoT rule on `$aws/events/presence/+/+`. */
export const presenceEnv = z.object({
  PRESENCE_TABLE: tableName,
  IN_FLIGHT_TABLE: tableName,
  AGENTS_TABLE: tableName,
  CERTIFICATES_TABLE: tableName,
  ENVELOPE_QUEUE_URL: queueUrl,
  IOT_ENDPOINT: iotEndpoint,
});

/** EventBridge schedule. */
export const certificateSweeperEnv = z.object({
  CERTIFICATES_TABLE: tableName,
  IOT_POLICY_NAME: iotPolicyName,
});

/** CloudFormation custom resource (the CA). */
export const caBootstrapEnv = z.object({
  CONFIG_TABLE: tableName,
});

/** zod/mini sets no locale: the messages of zod's classic API ("expected string, received undefined"). */
const ENGLISH = en().localeError;

/**
 * Validates `process.env` (or `source`) against `schema` at cold start. Throws a ClawPulsarError
 * `invalid_environment` naming every bad variable and why — values are never echoed, they may be ARNs
 * an operator would rather not see in a log line.
 *
 * @example
 * const env = loadEnv(dispatcherEnv);
 */
export function loadEnv<S extends z.ZodMiniObject>(
  schema: S,
  source: Readonly<Record<string, string | undefined>> = process.env,
): z.infer<S> {
  const parsed = z.safeParse(schema, source, { error: ENGLISH });
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new ClawPulsarError(
    'invalid_environment',
    `Invalid Lambda environment: ${problems.join('; ')}`,
    500,
    { variables: parsed.error.issues.map((issue) => issue.path.join('.')) },
  );
}
