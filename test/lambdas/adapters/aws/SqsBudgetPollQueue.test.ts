import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  readBudgetPollMessage,
  SqsBudgetPollQueue,
} from '../../../../lambdas/adapters/aws/SqsBudgetPollQueue.ts';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/111122223333/clawpulsar-budget-poll';
const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const keyIds = (n: number) => Array.from({ length: n }, (_, i) => `key-${String(i).padStart(16, '0')}`);

describe('SqsBudgetPollQueue', () => {
  it('fans a thousand keys out as a hundred messages of ten, in ten batch calls', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = new SqsBudgetPollQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE);

    const messages = await queue.fanOut(keyIds(1000), 1_700_000_000_000);

    expect(messages).toBe(100);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(10);
    const bodies = calls.flatMap((call) =>
      call.args[0].input.Entries!.map((entry) => readBudgetPollMessage(entry.MessageBody!)),
    );
    expect(bodies.flatMap((body) => body.keyIds)).toEqual(keyIds(1000));
    expect(bodies.every((body) => body.keyIds.length === 10 && body.scheduledAt === 1_700_000_000_000)).toBe(
      true,
    );
    expect(calls[0]!.args[0].input.QueueUrl).toBe(QUEUE);
  });

  it('sends entries SQS refused once more, and fails if they are refused again', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError' }] })
      .resolvesOnce({ Failed: [] });
    const queue = new SqsBudgetPollQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE);

    await queue.fanOut(keyIds(15), 1);

    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls[1]!.args[0].input.Entries!.map((entry) => entry.Id)).toEqual(['1']);
    sqs.reset();
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', SenderFault: false, Code: 'InternalError' }] });
    await expect(queue.fanOut(keyIds(3), 1)).rejects.toThrow(/refused 1 budget poll messages/);
  });

  it('sends nothing for no keys', async () => {
    const queue = new SqsBudgetPollQueue(new SQSClient({ region: 'eu-west-1' }), QUEUE);

    expect(await queue.fanOut([], 1)).toBe(0);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });
});

describe('readBudgetPollMessage', () => {
  it.each([
    ['not JSON', '{'],
    ['no keys', JSON.stringify({ keyIds: [], scheduledAt: 1 })],
    ['eleven keys', JSON.stringify({ keyIds: keyIds(11), scheduledAt: 1 })],
    ['a bad key id', JSON.stringify({ keyIds: ['../x'], scheduledAt: 1 })],
    ['an extra field', JSON.stringify({ keyIds: keyIds(1), scheduledAt: 1, key: 'secret' })],
  ])('refuses %s', (_case, body) => {
    expect(() => readBudgetPollMessage(body)).toThrow(
      expect.objectContaining({ code: 'invalid_poll_message' }),
    );
  });
});
