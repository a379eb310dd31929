import {
  type DeleteConnectionCommandInput,
  type PublishCommandInput,
  RequestEntityTooLargeException,
  ResourceNotFoundException,
} from '@aws-sdk/client-iot-data-plane';

/** IoT Core's documented cap on an MQTT message payload: 128 KB. */
export const IOT_MAX_PAYLOAD_BYTES = 128 * 1024;

export interface PublishedMessage {
  readonly topic: string;
  readonly qos: number;
  readonly payload: Buffer;
}

/**
 * IoT Core's data plane in process: Publish (QoS 0 or 1, payload at most 128 KB — larger is refused with
 * RequestEntityTooLargeException, as the HTTPS Publish API does), per-topic subscribers standing in for
 * connected agents, and DeleteConnection for connected clients.
 */
export class FakeIotDataPlane {
  readonly published: PublishedMessage[] = [];
  readonly disconnected: string[] = [];
  readonly #subscribers = new Map<string, ((payload: Buffer) => void)[]>();
  readonly #connected = new Set<string>();

  publish(input: PublishCommandInput) {
    const topic = input.topic ?? '';
    const qos = input.qos ?? 0;
    if (topic === '' || topic.includes('+') || topic.includes('#'))
      throw new Error('publish needs a concrete topic');
    if (qos !== 0 && qos !== 1) throw new Error('IoT Core supports QoS 0 and 1');
    const payload = Buffer.from((input.payload as Uint8Array | undefined) ?? new Uint8Array(0));
    if (payload.byteLength > IOT_MAX_PAYLOAD_BYTES) {
      throw new RequestEntityTooLargeException({ message: 'Payload exceeds 128 KB', $metadata: {} });
    }
    this.published.push({ topic, qos, payload });
    for (const deliver of this.#subscribers.get(topic) ?? []) deliver(payload);
    return {};
  }

  deleteConnection(input: DeleteConnectionCommandInput) {
    const clientId = input.clientId ?? '';
    if (!this.#connected.delete(clientId)) {
      throw new ResourceNotFoundException({ message: 'No connection for this client id', $metadata: {} });
    }
    this.disconnected.push(clientId);
    return {};
  }

  /** An agent connected with `clientId` and subscribed to `topic`. */
  connect(clientId: string, topic: string, deliver: (payload: Buffer) => void): void {
    this.#connected.add(clientId);
    this.#subscribers.set(topic, [...(this.#subscribers.get(topic) ?? []), deliver]);
  }

  isConnected(clientId: string): boolean {
    return this.#connected.has(clientId);
  }

  on(topic: string): PublishedMessage[] {
    return this.published.filter((message) => message.topic === topic);
  }
}
