import {
  DeleteConnectionCommand,
  type IoTDataPlaneClient,
  PublishCommand,
} from '@aws-sdk/client-iot-data-plane';
import type { TunnelPublisher } from '../../core/ports.ts';

/**
 * The tunnel in AWS: IoT Core's data plane. Publishes are QoS 1 (IoT Core acknowledges them to us; the
 * agent's own ack is what completes a delivery). Frames over 128 KB never get here: core chunkEnvelope
 * splits envelopes into 96 KiB chunks.
 *
 * @example
 * const tunnel = new IotTunnelPublisher(new IoTDataPlaneClient({ endpoint: `https://${env.IOT_ENDPOINT}` }));
 * await tunnel.publish(topicsFor('laptop').deliveries, frame);
 */
export class IotTunnelPublisher implements TunnelPublisher {
  readonly #client: IoTDataPlaneClient;

  constructor(client: IoTDataPlaneClient) {
    this.#client = client;
  }

  async publish(topic: string, payload: Uint8Array): Promise<void> {
    await this.#client.send(new PublishCommand({ topic, qos: 1, payload }));
  }

  /**
   * Closes an agent's MQTT connection now (revocation, a refused certificate). No last-will message: the
   * edge is the one ending it. A client that is not connected is not an error.
   */
  async disconnect(agentId: string): Promise<void> {
    try {
      await this.#client.send(new DeleteConnectionCommand({ clientId: agentId, preventWillMessage: true }));
    } catch (error) {
      if (error instanceof Error && error.name === 'ResourceNotFoundException') return;
      throw error;
    }
  }
}
