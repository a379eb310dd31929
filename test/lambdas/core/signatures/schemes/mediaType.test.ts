import { describe, expect, it } from 'vitest';
import { mediaType } from '../../../../../lambdas/core/signatures/schemes/mediaType.ts';

describe('mediaType', () => {
  it.each([
    ['application/json', 'application/json'],
    ['Application/JSON; charset=UTF-8', 'application/json'],
    [' application/x-www-form-urlencoded ;charset=utf-8', 'application/x-www-form-urlencoded'],
    ['', ''],
  ])('reads %j as %j', (header, expected) => {
    expect(mediaType({ 'content-type': header })).toBe(expected);
  });

  it("is '' without a Content-Type", () => {
    expect(mediaType({})).toBe('');
  });
});
