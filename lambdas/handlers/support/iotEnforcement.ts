import { IoTClient } from '@aws-sdk/client-iot';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import type {
  DynamoCertificateRepository,
  IotCertificateRecord,
} from '../../adapters/aws/DynamoCertificateRepository.ts';
import { IotCertificateLifecycle } from '../../adapters/aws/IotCertificateLifecycle.ts';
import { IotTunnelPublisher } from '../../adapters/aws/IotTunnelPublisher.ts';

/** What it takes to shut an agent out of IoT Core: its certificates refused, its live connection cut. */
export interface IotEnforcement {
  /** Deactivates the certificate in IoT Core (see IotCertificateLifecycle.deactivate). */
  deactivate(record: IotCertificateRecord): Promise<void>;
  /** Closes the agent's MQTT connection now (see IotTunnelPublisher.disconnect). */
  disconnect(agentId: string): Promise<void>;
}

export interface IotEnforcementOptions {
  readonly certificates: DynamoCertificateRepository;
  /** IoT Core's data endpoint (`IOT_ENDPOINT`). */
  readonly iotEndpoint: string;
}

/**
 * IoT Core's control plane (certificates) and data plane (connections) for refusing and revoking agents.
 * Load it through deferredIotEnforcement where it is a rare path.
 *
 * @example
 * const enforcement = iotEnforcement({ certificates, iotEndpoint: env.IOT_ENDPOINT });
 */
export function iotEnforcement(options: IotEnforcementOptions): IotEnforcement {
  const lifecycle = new IotCertificateLifecycle({
    iot: new IoTClient({}),
    certificates: options.certificates,
  });
  const tunnel = new IotTunnelPublisher(
    new IoTDataPlaneClient({ endpoint: `https://${options.iotEndpoint}` }),
  );
  return {
    deactivate: (record) => lifecycle.deactivate(record),
    disconnect: (agentId) => tunnel.disconnect(agentId),
  };
}
