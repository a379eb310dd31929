import {
  DeleteConnectionCommand,
  IoTDataPlaneClient,
  PublishCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot-data-plane';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { IotTunnelPublisher } from '../../../../lambdas/adapters/aws/IotTunnelPublisher.ts';
import { chunkEnvelope } from '../../../../lambdas/core/delivery/chunkEnvelope.ts';
import { FakeIotDataPlane, IOT_MAX_PAYLOAD_BYTES } from '../../../support/FakeIotDataPlane.ts';

describe('IotTunnelPublisher', () => {
  const mock = mockClient(IoTDataPlaneClient);
  let iot: FakeIotDataPlane;
  const tunnel = new IotTunnelPublisher(
    new IoTDataPlaneClient({
      region: 'eu-west-1',
      endpoint: 'https://example-ats.iot.eu-west-1.amazonaws.com',
    }),
  );

  beforeEach(() => {
    mock.reset();
    iot = new FakeIotDataPlane();
    mock.on(PublishCommand).callsFake(async (input) => iot.publish(input));
    mock.on(DeleteConnectionCommand).callsFake(async (input) => iot.deleteConnection(input));
  });
  afterAll(() => mock.restore());

  it("publishes with QoS 1 to the given topic, each chunk of a 1 MB envelope within IoT Core's 128 KB", async () => {
    // Prepare
    const frames = chunkEnvelope('e-1', new Uint8Array(1_000_000).fill(7));

    // Act
    for (const frame of frames) await tunnel.publish('clawpulsar/laptop/deliveries', frame);

    // Assess
    const inputs = mock.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(frames.length);
    expect(inputs.every((i) => i.topic === 'clawpulsar/laptop/deliveries' && i.qos === 1)).toBe(true);
    expect(Math.max(...iot.published.map((m) => m.payload.byteLength))).toBeLessThanOrEqual(
      IOT_MAX_PAYLOAD_BYTES,
    );
  });

  it('cuts a connection without a last-will message, and accepts that the client is already gone', async () => {
    // Prepare
    iot.connect('laptop', 'clawpulsar/laptop/deliveries', () => undefined);

    // Act
    await tunnel.disconnect('laptop');
    await tunnel.disconnect('laptop');

    // Assess
    expect(mock.commandCalls(DeleteConnectionCommand).map((c) => c.args[0].input)).toEqual([
      { clientId: 'laptop', preventWillMessage: true },
      { clientId: 'laptop', preventWillMessage: true },
    ]);
    expect(iot.disconnected).toEqual(['laptop']);
  });

  it('passes other disconnect failures through', async () => {
    // Prepare
    mock
      .on(DeleteConnectionCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'ForbiddenException' }));

    // Act + Assess
    await expect(tunnel.disconnect('laptop')).rejects.toMatchObject({ name: 'ForbiddenException' });
    expect(new ResourceNotFoundException({ message: 'x', $metadata: {} }).name).toBe(
      'ResourceNotFoundException',
    );
  });
});
