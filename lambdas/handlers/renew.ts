import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { KMSClient } from '@aws-sdk/client-kms';
import middy from '@middy/core';
import { DynamoAgentRepository } from '../adapters/aws/DynamoAgentRepository.ts';
import { DynamoCertificateRepository } from '../adapters/aws/DynamoCertificateRepository.ts';
import { DynamoConfigStore } from '../adapters/aws/DynamoConfigStore.ts';
import { IotAgentProvisioner } from '../adapters/aws/IotAgentProvisioner.ts';
import { IotTunnelPublisher } from '../adapters/aws/IotTunnelPublisher.ts';
import { KmsCertificateSigner } from '../adapters/aws/KmsCertificateSigner.ts';
import { topicsFor } from '../core/delivery/topics.ts';
import { type RenewalDeps, renewAgentCertificate } from '../core/registration/renewAgentCertificate.ts';
import { loadEnv, renewEnv } from './env.ts';
import { readAgentMessage } from './support/iotRuleEvent.ts';
import { lambdaLogger } from './support/lambdaLogger.ts';
import { once } from './support/once.ts';

const env = loadEnv(renewEnv);
const logger = lambdaLogger('renew');
const dynamo = new DynamoDBClient({});
const kms = new KMSClient({});
const certificates = new DynamoCertificateRepository(dynamo, env.CERTIFICATES_TABLE);
const tunnel = new IotTunnelPublisher(new IoTDataPlaneClient({ endpoint: `https://${env.IOT_ENDPOINT}` }));

const renewalDeps = once(async (): Promise<RenewalDeps> => {
  const [ca, signer] = await Promise.all([
    new DynamoConfigStore(dynamo, env.CONFIG_TABLE).getIssuingCa(),
    KmsCertificateSigner.create({ client: kms, keyId: env.CA_SIGNING_KEY_ARN }),
  ]);
  const provisioner = new IotAgentProvisioner({
    iot: new IoTClient({}),
    certificates,
    policyName: env.IOT_POLICY_NAME,
    caCertificatePem: ca.certificatePem,
  });
  return {
    agents: new DynamoAgentRepository(dynamo, env.AGENTS_TABLE),
    certificates,
    signer,
    caCertificatePem: ca.certificatePem,
    clock: { now: Date.now },
    logger,
    onCertificateIssued: (issued) => provisioner.register(issued),
  };
});

/**
 * IoT topic rule on `clawpulsar/+/cert/csr` (see iotRuleEvent.ts for the SQL): the agent asks for its
 * next certificate over its current authenticated connection. The core issues it (the identity is the
 * connection's, never the CSR's), it is registered in IoT Core, and the reply — certificate or error —
 * goes back on `clawpulsar/{agentId}/cert/issued`. The old certificate keeps working until the agent
 * connects with the new one (the presence handler then deactivates the old one).
 *
 * @example
 * // payload on clawpulsar/laptop/cert/csr: {"requestId":"r-1","csrPem":"-----BEGIN CERTIFICATE REQUEST-----…"}
 */
export const handler = middy<unknown, 'issued' | 'refused' | 'rejected'>().handler(async (event) => {
  const message = readAgentMessage(event);
  if ('rejected' in message) {
    logger.warn('csr_rejected', { reason: message.rejected });
    return 'rejected';
  }
  const reply = await renewAgentCertificate(await renewalDeps(), message.agentId, message.payload);
  await tunnel.publish(topicsFor(message.agentId).issued, Buffer.from(JSON.stringify(reply), 'utf8'));
  return reply.certificatePem ? 'issued' : 'refused';
});
