/** The most signatures (or list items) read from one header; more is an attack, not a rotation. */
export const MAX_HEADER_ITEMS = 32;

/**
 * Splits a header value into its trimmed, non-empty items. Returns undefined when the header holds more
 * than `MAX_HEADER_ITEMS` items, so a caller never loops over an attacker-sized list.
 *
 * @example
 * splitHeaderList('v1=a, v1=b', ','); // ['v1=a', 'v1=b']
 */
export function splitHeaderList(value: string, separator: string): string[] | undefined {
  const items: string[] = [];
  let start = 0;
  while (start <= value.length) {
    const end = value.indexOf(separator, start);
    const item = value.slice(start, end === -1 ? undefined : end).trim();
    if (item !== '') {
      if (items.length === MAX_HEADER_ITEMS) return undefined;
      items.push(item);
    }
    if (end === -1) break;
    start = end + separator.length;
  }
  return items;
}
