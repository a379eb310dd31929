import type { DeliveryIdSource } from './defineProvider.ts';
import { parseJsonObject } from './parseJsonObject.ts';
import type { VerifyInput } from './types.ts';

/**
 * The delivery id from the first present of `names` (lower-case headers).
 *
 * @example
 * fromHeader('x-github-delivery')
 */
export function fromHeader(...names: string[]): DeliveryIdSource {
  return (input: VerifyInput) => {
    for (const name of names) {
      const value = input.request.headers[name]?.trim();
      if (value) return value;
    }
    return undefined;
  };
}

/**
 * The delivery id from a string (or number) field of the verified JSON body, by path.
 *
 * @example
 * fromJsonBody('event', 'id') // PagerDuty's { "event": { "id": … } }
 */
export function fromJsonBody(...path: string[]): DeliveryIdSource {
  return (input: VerifyInput) => {
    let node: unknown = parseJsonObject(input.request.body);
    for (const key of path) {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
      node = (node as Record<string, unknown>)[key];
    }
    if (typeof node === 'string') return node;
    if (typeof node === 'number' && Number.isSafeInteger(node)) return String(node);
    return undefined;
  };
}

/** The first of several sources that yields an id. */
export function firstOf(...sources: DeliveryIdSource[]): DeliveryIdSource {
  return (input) => {
    for (const source of sources) {
      const id = source(input);
      if (id) return id;
    }
    return undefined;
  };
}
