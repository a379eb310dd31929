import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { BadRequestError } from '../../core/errors.ts';
import { idSchema } from '../../core/ids.ts';

/** Keys per message: one worker polls them together, a few at a time. */
export const KEYS_PER_MESSAGE = 10;
/** SendMessageBatch takes at most 10 entries. */
const ENTRIES_PER_BATCH = 10;

/** The body of one fan-out message. */
export const budgetPollMessageSchema = z
  .object({
    keyIds: z.array(idSchema).min(1).max(KEYS_PER_MESSAGE),
    /** When the schedule fired (ms): the poll's "now", so a late worker still polls the right window. */
    scheduledAt: z.number().int().positive(),
  })
  .strict();
export type BudgetPollMessage = z.infer<typeof budgetPollMessageSchema>;

/**
 * Reads a fan-out message body; anything else is a 400 (a message this code never wrote).
 *
 * @example
 * const { keyIds } = readBudgetPollMessage(record.body);
 */
export function readBudgetPollMessage(body: string): BudgetPollMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new BadRequestError('invalid_poll_message', 'The poll message is not JSON');
  }
  const parsed = budgetPollMessageSchema.safeParse(json);
  if (!parsed.success)
    throw new BadRequestError('invalid_poll_message', 'The poll message has the wrong shape');
  return parsed.data;
}

/**
 * The poller's fan-out queue: every key id goes out in messages of `KEYS_PER_MESSAGE`, ten messages to
 * a SendMessageBatch call, so a thousand keys are a hundred messages in ten calls and as many workers as
 * the event source allows poll them at once.
 *
 * @example
 * await new SqsBudgetPollQueue(sqs, env.BUDGET_POLL_QUEUE_URL).fanOut(keyIds, scheduledAt);
 */
export class SqsBudgetPollQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client;
    this.#queueUrl = queueUrl;
  }

  /** Sends every key id; resolves with the number of messages sent. Entries SQS refused are retried once. */
  async fanOut(keyIds: readonly string[], scheduledAt: number): Promise<number> {
    const bodies: string[] = [];
    for (let i = 0; i < keyIds.length; i += KEYS_PER_MESSAGE) {
      bodies.push(JSON.stringify({ keyIds: keyIds.slice(i, i + KEYS_PER_MESSAGE), scheduledAt }));
    }
    for (let i = 0; i < bodies.length; i += ENTRIES_PER_BATCH) {
      let entries = bodies
        .slice(i, i + ENTRIES_PER_BATCH)
        .map((body, j) => ({ Id: String(i + j), MessageBody: body }));
      for (let attempt = 0; entries.length > 0; attempt++) {
        if (attempt === 2) throw new Error(`SQS refused ${entries.length} budget poll messages`);
        const { Failed: failed = [] } = await this.#client.send(
          new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries }),
        );
        const retry = new Set(failed.map((entry) => entry.Id));
        entries = entries.filter((entry) => retry.has(entry.Id));
      }
    }
    return bodies.length;
  }
}
