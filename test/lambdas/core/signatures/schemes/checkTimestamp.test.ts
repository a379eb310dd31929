import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkTimestamp,
  parseTimestamp,
} from '../../../../../lambdas/core/signatures/schemes/checkTimestamp.ts';

describe('parseTimestamp', () => {
  it('reads unix seconds strictly', () => {
    expect(parseTimestamp('1767225600', 'unix-seconds')).toBe(1767225600);
    for (const bad of ['', ' 1', '1.5', '-1', '1e9', '0x10', '1767225600000000']) {
      expect(parseTimestamp(bad, 'unix-seconds')).toBeUndefined();
    }
  });

  it('reads RFC 3339 with nanoseconds and offsets', () => {
    expect(parseTimestamp('2026-01-01T00:00:00Z', 'rfc3339')).toBe(1767225600);
    expect(parseTimestamp('2026-01-01T00:00:00.123456789Z', 'rfc3339')).toBeCloseTo(1767225600.123457, 5);
    expect(parseTimestamp('2026-01-01T01:30:00+01:30', 'rfc3339')).toBe(1767225600);
    for (const bad of [
      '2026-01-01',
      '2026-13-01T00:00:00Z',
      '2026-01-01T24:00:00Z',
      '2026-01-01T00:00:00',
      '1767225600',
    ]) {
      expect(parseTimestamp(bad, 'rfc3339')).toBeUndefined();
    }
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        expect(() => parseTimestamp(text, 'rfc3339')).not.toThrow();
        expect(() => parseTimestamp(text, 'unix-seconds')).not.toThrow();
      }),
    );
  });
});

describe('checkTimestamp', () => {
  it('accepts the edges of the window and refuses stale and future times beyond them', () => {
    expect(checkTimestamp(1000, 1300, 300)).toBeUndefined();
    expect(checkTimestamp(1300, 1000, 300)).toBeUndefined();
    expect(checkTimestamp(999, 1300, 300)).toBe('timestamp too old');
    expect(checkTimestamp(1301, 1000, 300)).toBe('timestamp in the future');
  });
});
