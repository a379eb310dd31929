import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_HEADER_ITEMS,
  splitHeaderList,
} from '../../../../../lambdas/core/signatures/schemes/splitHeaderList.ts';

describe('splitHeaderList', () => {
  it('splits, trims and drops empty items', () => {
    expect(splitHeaderList(' v1=a , ,v1=b,', ',')).toEqual(['v1=a', 'v1=b']);
    expect(splitHeaderList('v1,a  v1a,b', ' ')).toEqual(['v1,a', 'v1a,b']);
    expect(splitHeaderList('', ',')).toEqual([]);
  });

  it('refuses more items than a rotation ever needs', () => {
    expect(splitHeaderList(Array(MAX_HEADER_ITEMS).fill('x').join(','), ',')).toHaveLength(MAX_HEADER_ITEMS);
    expect(
      splitHeaderList(
        Array(MAX_HEADER_ITEMS + 1)
          .fill('x')
          .join(','),
        ',',
      ),
    ).toBeUndefined();
  });

  it('never throws and returns only trimmed, non-empty items free of the separator', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.constantFrom(',', ';', ' '),
        (value, sep) => {
          const items = splitHeaderList(value, sep);
          for (const item of items ?? []) {
            expect(item).toBe(item.trim());
            expect(item).not.toBe('');
            expect(item.includes(sep)).toBe(false);
          }
        },
      ),
    );
  });
});
