import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import { KMSClient } from '@aws-sdk/client-kms';
import middy from '@middy/core';
import { AMAZON_ROOT_CA_1_PEM } from '../adapters/aws/amazonRootCa1.ts';
import { DynamoAgentRepository } from '../adapters/aws/DynamoAgentRepository.ts';
import { DynamoCertificateRepository } from '../adapters/aws/DynamoCertificateRepository.ts';
import { DynamoConfigStore } from '../adapters/aws/DynamoConfigStore.ts';
import { DynamoRegistrationTokenStore } from '../adapters/aws/DynamoRegistrationTokenStore.ts';
import { IotAgentProvisioner } from '../adapters/aws/IotAgentProvisioner.ts';
import { KmsCertificateSigner } from '../adapters/aws/KmsCertificateSigner.ts';
import { BadRequestError } from '../core/errors.ts';
import type { RegistrationDeps } from '../core/registration/RegistrationDeps.ts';
import { registerAgent } from '../core/registration/registerAgent.ts';
import { loadEnv, registerEnv } from './env.ts';
import {
  type ApiGatewayV2Result,
  jsonResult,
  parseApiGatewayEvent,
  readJsonBody,
} from './support/apiGatewayEvent.ts';
import { httpErrors } from './support/httpErrors.ts';
import { lambdaLogger } from './support/lambdaLogger.ts';
import { once } from './support/once.ts';

const env = loadEnv(registerEnv);
const logger = lambdaLogger('register');
const dynamo = new DynamoDBClient({});
const kms = new KMSClient({});
const iot = new IoTClient({});
const certificates = new DynamoCertificateRepository(dynamo, env.CERTIFICATES_TABLE);

/** IoT Core's MQTT endpoint as agents see it: the ATS data endpoint on 8883, SNI required. */
export const IOT_MQTT_PORT = 8883;

/**
 * Registration's dependencies, built once per container: the CA certificate written by the CA bootstrap
 * and the KMS signer (its public key is read once), with IoT provisioning as the certificate hook.
 */
const registrationDeps = once(async (): Promise<RegistrationDeps> => {
  const [ca, signer] = await Promise.all([
    new DynamoConfigStore(dynamo, env.CONFIG_TABLE).getIssuingCa(),
    KmsCertificateSigner.create({ client: kms, keyId: env.CA_SIGNING_KEY_ARN }),
  ]);
  const provisioner = new IotAgentProvisioner({
    iot,
    certificates,
    policyName: env.IOT_POLICY_NAME,
    caCertificatePem: ca.certificatePem,
  });
  return {
    tokens: new DynamoRegistrationTokenStore(dynamo, env.REGISTRATION_TOKENS_TABLE),
    agents: new DynamoAgentRepository(dynamo, env.AGENTS_TABLE),
    certificates,
    signer,
    caCertificatePem: ca.certificatePem,
    clock: { now: Date.now },
    logger,
    tunnel: {
      host: env.IOT_ENDPOINT,
      port: IOT_MQTT_PORT,
      serverName: env.IOT_ENDPOINT,
      serverCaPem: AMAZON_ROOT_CA_1_PEM,
    },
    webhookBaseUrl: `${env.PUBLIC_BASE_URL}/v1/hooks`,
    onCertificateIssued: (issued) => provisioner.register(issued),
  };
});

/**
 * `POST /v1/register` (no authoriser: the one-time token in the body is the credential): the core
 * trades the token, CSR and sealing key for a 24 h certificate, registered in IoT Core before it is
 * returned, and the tunnel's coordinates.
 *
 * @example
 * // POST /v1/register {"token":"cpreg_…","csrPem":"-----BEGIN CERTIFICATE REQUEST-----…","sealingPublicKey":"…"}
 */
export const handler = middy<unknown, ApiGatewayV2Result>()
  .use(httpErrors(logger))
  .handler(async (raw) => {
    const event = parseApiGatewayEvent(raw);
    if (event.requestContext.http.method.toUpperCase() !== 'POST') {
      return jsonResult(
        405,
        { error: { code: 'method_not_allowed', message: 'POST only' } },
        { allow: 'POST' },
      );
    }
    const body = readJsonBody(event);
    if (body === undefined) throw new BadRequestError('invalid_registration', 'The body is empty');
    return jsonResult(201, await registerAgent(await registrationDeps(), body));
  });
