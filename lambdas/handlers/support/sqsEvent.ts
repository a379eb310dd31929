import * as z from 'zod';

/** One record of an SQS event source batch — the fields we read. */
export const sqsRecordSchema = z.object({
  messageId: z.string().min(1),
  receiptHandle: z.string().min(1),
  body: z.string(),
  messageAttributes: z.record(z.string(), z.unknown()),
  eventSource: z.literal('aws:sqs'),
});
export type SqsRecord = z.infer<typeof sqsRecordSchema>;

export const sqsEventSchema = z.object({ Records: z.array(sqsRecordSchema) });
export type SqsEvent = z.infer<typeof sqsEventSchema>;

/** The partial batch response (event source mapping with ReportBatchItemFailures). */
export interface SqsBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}
