import { X509Certificate } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import { KMSClient } from '@aws-sdk/client-kms';
import middy from '@middy/core';
import { DynamoConfigStore, type IssuingCa } from '../adapters/aws/DynamoConfigStore.ts';
import { IotCaRegistry } from '../adapters/aws/IotCaRegistry.ts';
import { KmsCertificateSigner } from '../adapters/aws/KmsCertificateSigner.ts';
import { BadRequestError } from '../core/errors.ts';
import { createCaCertificate } from '../core/identity/createCaCertificate.ts';
import { caBootstrapEnv, loadEnv } from './env.ts';
import {
  type CaResourceProperties,
  type CustomResourceResult,
  caResourcePropertiesSchema,
  customResourceEventSchema,
} from './support/customResourceEvent.ts';
import { lambdaLogger } from './support/lambdaLogger.ts';

const env = loadEnv(caBootstrapEnv);
const logger = lambdaLogger('caBootstrap');
const DAY_MS = 24 * 60 * 60 * 1000;
const config = new DynamoConfigStore(new DynamoDBClient({}), env.CONFIG_TABLE);
const kms = new KMSClient({});
const registry = new IotCaRegistry(new IoTClient({}));

/** A CA shorter-lived than this is replaced on the next deploy rather than kept. */
const RENEW_BEFORE_MS = 365 * DAY_MS;
export const DEFAULT_CA_COMMON_NAME = 'ClawPulsar agent CA';
export const DEFAULT_CA_LIFETIME_DAYS = 3650;

function result(ca: IssuingCa): CustomResourceResult {
  return {
    PhysicalResourceId: ca.caCertificateId,
    Data: { CaCertificateId: ca.caCertificateId, CaCertificateArn: ca.caCertificateArn },
  };
}

/**
 * Create and Update: keep the stored CA when it was made with the requested key and has more than a
 * year left (re-registering it is a no-op), otherwise make a new one through the KMS signer and register
 * it. Idempotent, so a retried deployment converges on one CA.
 */
async function ensureCa(properties: CaResourceProperties, now: number): Promise<CustomResourceResult> {
  const existing = await config.findIssuingCa();
  if (existing && existing.signingKeyArn === properties.CaSigningKeyArn) {
    const expiresAt = new Date(new X509Certificate(existing.certificatePem).validTo).getTime();
    if (expiresAt - now > RENEW_BEFORE_MS) {
      await registry.register(existing.certificatePem);
      logger.info('ca_kept', { caCertificateId: existing.caCertificateId });
      return result(existing);
    }
  }
  const signer = await KmsCertificateSigner.create({ client: kms, keyId: properties.CaSigningKeyArn });
  const ca = await createCaCertificate({
    signer,
    commonName: properties.CommonName ?? DEFAULT_CA_COMMON_NAME,
    now,
    lifetimeMs: (properties.LifetimeDays ?? DEFAULT_CA_LIFETIME_DAYS) * DAY_MS,
  });
  const registered = await registry.register(ca.certificatePem);
  const stored: IssuingCa = {
    certificatePem: ca.certificatePem,
    caCertificateId: registered.caCertificateId,
    caCertificateArn: registered.caCertificateArn,
    signingKeyArn: properties.CaSigningKeyArn,
  };
  await config.putIssuingCa(stored);
  logger.info('ca_created', { caCertificateId: stored.caCertificateId });
  return result(stored);
}

/**
 * CloudFormation custom resource through CDK's custom-resources Provider (`onEvent`; the framework
 * answers CloudFormation from the returned `{ PhysicalResourceId, Data }`). Creates the issuing CA with
 * the core's createCaCertificate and the KMS signer, registers it in IoT Core (SNI_ONLY, active) and
 * stores its PEM in the config table, where registration and renewal read it.
 *
 * Delete (stack deletion, or the old CA after a replacement) deactivates the CA in IoT Core, so no
 * certificate it signed connects any more, and deletes it once IoT allows; the config item goes only
 * when it still names this CA. Replacing the CA (a new signing key) therefore cuts off agents until they
 * register again: a deliberate, rare operation.
 *
 * @example
 * // new CustomResource(this, 'IssuingCa', { serviceToken: provider.serviceToken, properties: { CaSigningKeyArn: key.keyArn } })
 */
export const handler = middy<unknown, CustomResourceResult>().handler(async (raw) => {
  const event = customResourceEventSchema.parse(raw);
  if (event.RequestType === 'Delete') {
    const current = await config.findIssuingCa();
    const deleted = await registry.remove(event.PhysicalResourceId);
    if (current?.caCertificateId === event.PhysicalResourceId) await config.deleteIssuingCa();
    logger.info('ca_removed', { caCertificateId: event.PhysicalResourceId, deletedFromIot: deleted });
    return { PhysicalResourceId: event.PhysicalResourceId };
  }
  const properties = caResourcePropertiesSchema.safeParse(event.ResourceProperties);
  if (!properties.success) {
    throw new BadRequestError('invalid_resource_properties', 'CA resource properties are invalid', {
      fields: properties.error.issues.map((issue) => issue.path.join('.')),
    });
  }
  return ensureCa(properties.data, Date.now());
});
