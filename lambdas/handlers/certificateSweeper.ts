import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTClient } from '@aws-sdk/client-iot';
import middy from '@middy/core';
import { DynamoCertificateRepository } from '../adapters/aws/DynamoCertificateRepository.ts';
import { IotCertificateLifecycle } from '../adapters/aws/IotCertificateLifecycle.ts';
import { certificateSweeperEnv, loadEnv } from './env.ts';
import { errorName, lambdaLogger } from './support/lambdaLogger.ts';

const env = loadEnv(certificateSweeperEnv);
const logger = lambdaLogger('certificateSweeper');
const certificates = new DynamoCertificateRepository(new DynamoDBClient({}), env.CERTIFICATES_TABLE);
const lifecycle = new IotCertificateLifecycle({ iot: new IoTClient({}), certificates });

export interface SweepSummary {
  readonly retired: number;
  readonly pending: number;
  readonly failed: number;
}

/**
 * EventBridge schedule (hourly; the event's content is not read): removes from IoT Core every agent
 * certificate that expired or was superseded or revoked — deactivate, detach from thing and policy,
 * delete. IoT Core keeps no certificate longer than an hour past its use. One certificate's failure
 * doesn't stop the sweep; it is retried next hour.
 *
 * @example
 * // Schedule: rate(1 hour)
 */
export const handler = middy<unknown, SweepSummary>().handler(async () => {
  let retired = 0;
  let pending = 0;
  let failed = 0;
  for (const record of await certificates.listRetirable(Date.now())) {
    try {
      if (await lifecycle.retire(record, env.IOT_POLICY_NAME)) retired++;
      else pending++;
    } catch (error) {
      failed++;
      logger.error('certificate_retire_failed', {
        serialNumber: record.serialNumber,
        error: errorName(error),
      });
    }
  }
  logger.info('certificates_swept', { retired, pending, failed });
  return { retired, pending, failed };
});
