import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { HandlerFunction } from './HandlerFunction.ts';

export interface QueueConsumerProps {
  readonly consumer: HandlerFunction;
  readonly queue: sqs.IQueue;
  readonly batchSize: number;
  readonly maxConcurrency: number;
  /** Why the mapping has no on-failure destination (cdk-nag's Serverless pack asks for one). */
  readonly noDestinationReason: string;
}

/**
 * An SQS event source with partial batch responses, created after the consumer's policy (which must
 * carry `queueConsumerAccess`). Not `fn.addEventSource`: that would also grant the queue's key without a
 * via-service condition.
 *
 * @example
 * connectQueueConsumer(this, 'DispatcherQueueMapping', { consumer, queue, batchSize: 10, maxConcurrency: 5, noDestinationReason });
 */
export function connectQueueConsumer(
  scope: Construct,
  id: string,
  props: QueueConsumerProps,
): lambda.EventSourceMapping {
  const mapping = new lambda.EventSourceMapping(scope, id, {
    target: props.consumer.function,
    eventSourceArn: props.queue.queueArn,
    batchSize: props.batchSize,
    reportBatchItemFailures: true,
    maxConcurrency: props.maxConcurrency,
  });
  mapping.node.addDependency(props.consumer.policy);
  Validations.of(mapping).acknowledge({
    id: 'Serverless-LambdaEventSourceMappingDestination',
    reason: props.noDestinationReason,
  });
  return mapping;
}
