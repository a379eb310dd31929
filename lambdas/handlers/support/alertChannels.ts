import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { SNSClient } from '@aws-sdk/client-sns';
import { IotTunnelPublisher } from '../../adapters/aws/IotTunnelPublisher.ts';
import { SnsAlertTopic } from '../../adapters/aws/SnsAlertTopic.ts';

/**
 * Where budget alerts leave AWS: agents through IoT Core's data plane, email and SMS through SNS. In a
 * module of its own so that awsBudgetMonitor loads these clients with the first alert, not at cold start.
 *
 * @example
 * const tunnel = alertTunnel(env.IOT_ENDPOINT);
 */
export function alertTunnel(iotEndpoint: string): IotTunnelPublisher {
  return new IotTunnelPublisher(new IoTDataPlaneClient({ endpoint: `https://${iotEndpoint}` }));
}

/** The SNS topic of email and SMS alerts (see alertTunnel). */
export function alertTopic(topicArn: string): SnsAlertTopic {
  return new SnsAlertTopic(new SNSClient({}), topicArn);
}
