import { createHash, randomUUID } from 'node:crypto';
import {
  type ChangeMessageVisibilityBatchCommandInput,
  type ChangeMessageVisibilityCommandInput,
  type DeleteMessageCommandInput,
  MessageNotInflight,
  ReceiptHandleIsInvalid,
  type SendMessageCommandInput,
  SQSServiceException,
} from '@aws-sdk/client-sqs';

/** One SQS record as the Lambda event source delivers it. */
export interface LambdaSqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<
    string,
    {
      stringValue?: string;
      binaryValue?: string;
      stringListValues: [];
      binaryListValues: [];
      dataType: string;
    }
  >;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: SendMessageCommandInput['MessageAttributes'];
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  /** The receipt handle of the latest receive; older ones are stale. */
  currentHandle?: string;
}

export interface FakeSqsOptions {
  readonly now?: () => number;
  readonly retentionSeconds: number;
  readonly visibilitySeconds: number;
  /** The queue's MaximumMessageSize (SQS counts body plus attribute names, types and values). */
  readonly maxMessageBytes?: number;
}

const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * An in-process SQS standard queue with the documented semantics the relay relies on:
 *
 * - a message is hidden for the visibility timeout after each receive, and every receive issues a new
 *   receipt handle;
 * - ChangeMessageVisibility needs the latest handle of an in-flight message (ReceiptHandleIsInvalid /
 *   MessageNotInflight otherwise) and takes 0…43,200 s;
 * - DeleteMessage with a stale handle succeeds without deleting ("you must provide the most recently
 *   received receipt handle … otherwise, the request succeeds, but the message might not be deleted");
 * - messages disappear once the retention period after SendMessage has passed, received or not;
 * - SendMessage refuses a message over MaximumMessageSize.
 */
export class FakeSqs {
  readonly #now: () => number;
  readonly #retentionMs: number;
  readonly #visibilityMs: number;
  readonly #maxMessageBytes: number;
  readonly #messages = new Map<string, StoredMessage>();
  readonly #handles = new Map<string, string>();
  /** Every SendMessage input accepted, in order. */
  readonly sent: SendMessageCommandInput[] = [];
  readonly #failures: { readonly operation: 'SendMessage' | 'DeleteMessage'; readonly error: Error }[] = [];

  constructor(options: FakeSqsOptions) {
    this.#now = options.now ?? Date.now;
    this.#retentionMs = options.retentionSeconds * 1000;
    this.#visibilityMs = options.visibilitySeconds * 1000;
    this.#maxMessageBytes = options.maxMessageBytes ?? 1_048_576;
  }

  /** Makes the next call of `operation` fail with `error` (a throttle, an outage), once. */
  failNext(operation: 'SendMessage' | 'DeleteMessage', error: Error): void {
    this.#failures.push({ operation, error });
  }

  #injected(operation: 'SendMessage' | 'DeleteMessage'): void {
    const index = this.#failures.findIndex((failure) => failure.operation === operation);
    if (index === -1) return;
    const [failure] = this.#failures.splice(index, 1);
    throw failure?.error;
  }

  sendMessage(input: SendMessageCommandInput) {
    this.#injected('SendMessage');
    const body = input.MessageBody ?? '';
    let size = Buffer.byteLength(body);
    for (const [name, value] of Object.entries(input.MessageAttributes ?? {})) {
      size +=
        Buffer.byteLength(name) +
        Buffer.byteLength(value.DataType ?? '') +
        Buffer.byteLength(value.StringValue ?? '');
    }
    if (body.length === 0 || size > this.#maxMessageBytes) {
      throw invalidParameterValue('Message must be 1 byte to the maximum size');
    }
    const messageId = randomUUID();
    const now = this.#now();
    this.#messages.set(messageId, {
      messageId,
      body,
      attributes: input.MessageAttributes,
      sentAt: now,
      visibleAt: now + (input.DelaySeconds ?? 0) * 1000,
      receiveCount: 0,
    });
    this.sent.push(input);
    return { MessageId: messageId, MD5OfMessageBody: md5(body) };
  }

  /** Receives up to `max` visible messages, as the event source's poller does. */
  receive(max = 10): LambdaSqsRecord[] {
    const now = this.#now();
    this.#purgeExpired(now);
    const records: LambdaSqsRecord[] = [];
    for (const message of this.#messages.values()) {
      if (records.length >= max) break;
      if (message.visibleAt > now) continue;
      const handle = `rh-${randomUUID()}`;
      message.currentHandle = handle;
      message.visibleAt = now + this.#visibilityMs;
      message.receiveCount++;
      this.#handles.set(handle, message.messageId);
      records.push(this.#record(message, handle, now));
    }
    return records;
  }

  changeMessageVisibility(input: ChangeMessageVisibilityCommandInput) {
    const timeout = input.VisibilityTimeout ?? -1;
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > MAX_VISIBILITY_SECONDS) {
      throw invalidParameterValue('VisibilityTimeout must be 0 to 43200 seconds');
    }
    const message = this.#inFlight(input.ReceiptHandle ?? '');
    message.visibleAt = this.#now() + timeout * 1000;
    return {};
  }

  changeMessageVisibilityBatch(input: ChangeMessageVisibilityBatchCommandInput) {
    const entries = input.Entries ?? [];
    if (entries.length === 0 || entries.length > 10) throw new Error('batch must hold 1 to 10 entries');
    const Successful: { Id: string }[] = [];
    const Failed: { Id: string; Code: string; SenderFault: boolean }[] = [];
    for (const entry of entries) {
      try {
        this.changeMessageVisibility({
          QueueUrl: input.QueueUrl,
          ReceiptHandle: entry.ReceiptHandle,
          VisibilityTimeout: entry.VisibilityTimeout,
        });
        Successful.push({ Id: entry.Id ?? '' });
      } catch (error) {
        Failed.push({ Id: entry.Id ?? '', Code: (error as Error).name, SenderFault: true });
      }
    }
    return { Successful, Failed };
  }

  deleteMessage(input: DeleteMessageCommandInput) {
    this.#injected('DeleteMessage');
    const handle = input.ReceiptHandle ?? '';
    const messageId = this.#handles.get(handle);
    if (messageId === undefined)
      throw new ReceiptHandleIsInvalid({ message: 'The receipt handle is not valid', $metadata: {} });
    const message = this.#messages.get(messageId);
    if (message?.currentHandle === handle) this.#messages.delete(messageId);
    return {};
  }

  /** How many messages the queue holds (visible or in flight). */
  size(): number {
    this.#purgeExpired(this.#now());
    return this.#messages.size;
  }

  /** When the message will next be visible, for assertions (ms since the epoch). */
  visibleAt(messageId: string): number | undefined {
    return this.#messages.get(messageId)?.visibleAt;
  }

  #inFlight(handle: string): StoredMessage {
    const messageId = this.#handles.get(handle);
    const message = messageId === undefined ? undefined : this.#messages.get(messageId);
    if (!message || message.currentHandle !== handle) {
      throw new ReceiptHandleIsInvalid({ message: 'The receipt handle is not valid', $metadata: {} });
    }
    if (message.visibleAt <= this.#now())
      throw new MessageNotInflight({ message: 'The message is not in flight', $metadata: {} });
    return message;
  }

  #purgeExpired(now: number): void {
    for (const [id, message] of this.#messages)
      if (message.sentAt + this.#retentionMs <= now) this.#messages.delete(id);
  }

  #record(message: StoredMessage, handle: string, now: number): LambdaSqsRecord {
    const messageAttributes: LambdaSqsRecord['messageAttributes'] = {};
    for (const [name, value] of Object.entries(message.attributes ?? {})) {
      messageAttributes[name] = {
        stringValue: value.StringValue,
        stringListValues: [],
        binaryListValues: [],
        dataType: value.DataType ?? 'String',
      };
    }
    return {
      messageId: message.messageId,
      receiptHandle: handle,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: 'AROAEXAMPLE:ingress',
        ApproximateFirstReceiveTimestamp: String(now),
      },
      messageAttributes,
      md5OfBody: md5(message.body),
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:clawpulsar-envelopes',
      awsRegion: 'eu-west-1',
    };
  }
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** SQS's InvalidParameterValue error, which the SDK has no class for. */
function invalidParameterValue(message: string): SQSServiceException {
  return new SQSServiceException({ name: 'InvalidParameterValue', $fault: 'client', $metadata: {}, message });
}
