import { isActiveInIot } from '../../adapters/aws/DynamoCertificateRepository.ts';
import type { IotEnforcement, IotEnforcementOptions } from './iotEnforcement.ts';
import { once } from './once.ts';

/**
 * iotEnforcement, with the IoT SDK clients loaded by its first use instead of at cold start. For the
 * functions where shutting an agent out is the exception (a refused connect, a superseded certificate,
 * a revocation): IoT Core's control-plane client is the largest SDK client they would otherwise load.
 *
 * @example
 * const enforcement = deferredIotEnforcement({ certificates, iotEndpoint: env.IOT_ENDPOINT });
 * await enforcement.disconnect('laptop');
 */
export function deferredIotEnforcement(options: IotEnforcementOptions): IotEnforcement {
  const loaded = once(async () => (await import('./iotEnforcement.ts')).iotEnforcement(options));
  return {
    // A certificate IoT Core already refuses needs no call, and so no client.
    deactivate: async (record) => {
      if (isActiveInIot(record)) await (await loaded()).deactivate(record);
    },
    disconnect: async (agentId) => (await loaded()).disconnect(agentId),
  };
}
