import { splitHeaderList } from './splitHeaderList.ts';

/** A header such as `t=1492774577,v1=5257a8…,v1=9b2c…`, read as its pairs in order. */
export type KeyValuePairs = ReadonlyArray<readonly [key: string, value: string]>;

/**
 * Parses `key=value` items separated by `pairSeparator` (`,` for Stripe and Calendly, `;` for Paddle).
 * Keys repeat when a provider sends several signatures. Returns undefined for an item without `=`, an
 * empty key or value, or too many items: the header is malformed and nothing in it is trusted.
 *
 * @example
 * parseKeyValueHeader('ts=1671552777;h1=eb4d…', ';'); // [['ts', '1671552777'], ['h1', 'eb4d…']]
 */
export function parseKeyValueHeader(value: string, pairSeparator: string): KeyValuePairs | undefined {
  const items = splitHeaderList(value, pairSeparator);
  if (items === undefined || items.length === 0) return undefined;
  const pairs: Array<readonly [string, string]> = [];
  for (const item of items) {
    const equals = item.indexOf('=');
    if (equals <= 0 || equals === item.length - 1) return undefined;
    pairs.push([item.slice(0, equals).trim(), item.slice(equals + 1).trim()]);
  }
  return pairs;
}
