import { headerValue } from './singleHeader.ts';

const DELIVERY_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * A provider's delivery id from a header, when it is a plausible id (1–200 visible ASCII characters).
 * Anything else is ignored rather than stored, since the id ends up in the delivery log.
 */
export function deliveryIdHeader(
  headers: Readonly<Record<string, string>>,
  name: string,
): string | undefined {
  const value = headerValue(headers, name)?.trim();
  return value !== undefined && DELIVERY_ID.test(value) ? value : undefined;
}

/**
 * A delivery id taken from a verified body field; same plausibility rule as `deliveryIdHeader`.
 */
export function deliveryIdValue(value: unknown): string | undefined {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  return typeof text === 'string' && DELIVERY_ID.test(text) ? text : undefined;
}
