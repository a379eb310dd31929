import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ClawPulsarError } from '../../core/errors.ts';

/** A DynamoDB item in the low-level attribute-value form. */
export type Item = Record<string, AttributeValue>;

/** Attribute-value constructors: small and explicit, so what is stored is visible at each call. */
export const av = {
  s: (value: string): AttributeValue => ({ S: value }),
  n: (value: number): AttributeValue => ({ N: String(value) }),
  b: (value: Uint8Array): AttributeValue => ({ B: value }),
  bool: (value: boolean): AttributeValue => ({ BOOL: value }),
  strings: (values: readonly string[]): AttributeValue => ({ L: values.map((value) => ({ S: value })) }),
};

/**
 * Typed reads of a stored item. A missing or mistyped attribute is a 500 `corrupt_record`: the tables
 * are written only by these adapters, so it means a bug or a hand edit, never user input.
 */
export const read = {
  s(item: Item, name: string): string {
    const value = item[name]?.S;
    if (value === undefined) throw corrupt(name);
    return value;
  },
  n(item: Item, name: string): number {
    const value = item[name]?.N;
    if (value === undefined) throw corrupt(name);
    return Number(value);
  },
  b(item: Item, name: string): Uint8Array {
    const value = item[name]?.B;
    if (value === undefined) throw corrupt(name);
    return value;
  },
  bool(item: Item, name: string): boolean {
    const value = item[name]?.BOOL;
    if (value === undefined) throw corrupt(name);
    return value;
  },
  strings(item: Item, name: string): string[] {
    const list = item[name]?.L;
    if (list === undefined) throw corrupt(name);
    return list.map((entry) => {
      if (entry.S === undefined) throw corrupt(name);
      return entry.S;
    });
  },
  optionalS(item: Item, name: string): string | undefined {
    return item[name]?.S;
  },
  optionalN(item: Item, name: string): number | undefined {
    const value = item[name]?.N;
    return value === undefined ? undefined : Number(value);
  },
  optionalB(item: Item, name: string): Uint8Array | undefined {
    return item[name]?.B;
  },
};

/** DynamoDB TTL wants epoch seconds; rounding up never deletes an item early. */
export function ttlSeconds(expiresAtMs: number): number {
  return Math.ceil(expiresAtMs / 1000);
}

/** True for the SDK's failed-condition error, the normal "someone else got there first" answer. */
export function isConditionFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function corrupt(attribute: string): ClawPulsarError {
  return new ClawPulsarError('corrupt_record', `A stored item lacks a valid "${attribute}" attribute`, 500, {
    attribute,
  });
}
