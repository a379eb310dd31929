import type { DynamoDBClient, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Item } from './dynamoItem.ts';

/**
 * Every item of a Query or Scan, page after page (`ExclusiveStartKey` from the previous page's
 * `LastEvaluatedKey`). Stop early by leaving the `for await` loop: no further page is read.
 *
 * @example
 * for await (const item of pagedItems(dynamo, (start) => new ScanCommand({ TableName, ExclusiveStartKey: start }))) …
 */
export async function* pagedItems(
  client: DynamoDBClient,
  request: (exclusiveStartKey: Item | undefined) => QueryCommand | ScanCommand,
): AsyncGenerator<Item> {
  let start: Item | undefined;
  do {
    // Query and Scan pages have the same shape; the SDK's overloads just can't take the union.
    const page = await client.send(request(start) as QueryCommand);
    yield* page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}
