import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../../../lambdas/core/envelope/ByteReader.ts';
import { EnvelopeError } from '../../../../lambdas/core/errors.ts';

function codeOf(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    return (error as EnvelopeError).code;
  }
  return expect.fail('expected an EnvelopeError');
}

describe('ByteReader', () => {
  it('reads big-endian integers and length-prefixed fields in order', () => {
    // Prepare
    const bytes = Buffer.from(
      '07' + '0102' + '01020304' + '001fffff' + 'ffffffff' + '0002' + '6869' + '00000001' + 'aa',
      'hex',
    );
    const reader = new ByteReader(bytes, 'test');

    // Act, Assess
    expect(reader.u8()).toBe(7);
    expect(reader.u16()).toBe(0x0102);
    expect(reader.u32()).toBe(0x01020304);
    expect(reader.u64('time')).toBe(Number.MAX_SAFE_INTEGER);
    expect(reader.lengthPrefixedString(2, 1, 10, 'name')).toBe('hi');
    expect([...reader.lengthPrefixedBytes(4, 10, 'body')]).toEqual([0xaa]);
    expect(reader.remaining).toBe(0);
  });

  it('reads from a view at an offset without copying', () => {
    const backing = Buffer.from('ff0002abcd', 'hex');
    const reader = new ByteReader(backing.subarray(1), 'test');
    const field = reader.lengthPrefixedBytes(2, 10, 'field');
    expect(field.buffer).toBe(backing.buffer);
    expect(field.toString('hex')).toBe('abcd');
  });

  it('checks a declared length against its bound before the bytes are there', () => {
    const reader = new ByteReader(Buffer.from('ffffffff', 'hex'), 'test');
    expect(codeOf(() => reader.lengthPrefixedBytes(4, 1024, 'body'))).toBe('malformed');
  });

  it('calls reads past the end truncated', () => {
    expect(codeOf(() => new ByteReader(new Uint8Array(0), 'test').u8())).toBe('truncated');
    expect(codeOf(() => new ByteReader(new Uint8Array(1), 'test').u16())).toBe('truncated');
    expect(codeOf(() => new ByteReader(new Uint8Array(3), 'test').u32())).toBe('truncated');
    expect(
      codeOf(() => new ByteReader(Buffer.from('0005aa', 'hex'), 'test').lengthPrefixedBytes(2, 10, 'f')),
    ).toBe('truncated');
  });

  it('refuses a 64-bit integer past the safe integers', () => {
    expect(codeOf(() => new ByteReader(Buffer.from('0020000000000000', 'hex'), 'test').u64('time'))).toBe(
      'malformed',
    );
  });

  it('refuses strings under their minimum or not UTF-8', () => {
    expect(
      codeOf(() => new ByteReader(Buffer.from('0000', 'hex'), 'test').lengthPrefixedString(2, 1, 10, 'id')),
    ).toBe('malformed');
    expect(
      codeOf(() => new ByteReader(Buffer.from('0001c3', 'hex'), 'test').lengthPrefixedString(2, 0, 10, 'id')),
    ).toBe('malformed');
  });

  it('names the structure in its messages, never the bytes', () => {
    try {
      new ByteReader(Buffer.from('0003736563', 'hex'), 'sealed request').lengthPrefixedString(
        2,
        0,
        2,
        'secret',
      );
    } catch (error) {
      expect((error as Error).message).toBe('The sealed request is malformed: secret is over 2 bytes');
      return;
    }
    expect.fail('expected an EnvelopeError');
  });
});
