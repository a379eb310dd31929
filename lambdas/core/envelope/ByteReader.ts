import { EnvelopeError } from '../errors.ts';

// fatal: invalid UTF-8 is an error, not U+FFFD; ignoreBOM: a leading U+FEFF is data, kept as sent.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A cursor over untrusted bytes. Every read checks the bytes are there (`truncated`) and every declared
 * length against its bound before anything is read (`malformed`), so a hostile length can neither read
 * out of bounds nor make the parser allocate: strings are decoded from views, byte fields are views.
 */
export class ByteReader {
  readonly #bytes: Buffer;
  readonly #what: string;
  #offset = 0;

  /** `what` names the structure in error messages, e.g. 'envelope header'. */
  constructor(bytes: Uint8Array, what: string) {
    this.#bytes = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#what = what;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  u8(): number {
    this.#need(1);
    return this.#bytes[this.#offset++]!;
  }

  u16(): number {
    this.#need(2);
    const value = this.#bytes.readUInt16BE(this.#offset);
    this.#offset += 2;
    return value;
  }

  u32(): number {
    this.#need(4);
    const value = this.#bytes.readUInt32BE(this.#offset);
    this.#offset += 4;
    return value;
  }

  /** A 64-bit unsigned integer that must fit a JavaScript safe integer. */
  u64(field: string): number {
    const high = this.u32();
    const low = this.u32();
    if (high > 0x1fffff) throw this.#malformed(`${field} is out of range`, { field });
    return high * 0x1_0000_0000 + low;
  }

  /** `length` bytes as a view into the input (no copy). */
  bytes(length: number): Buffer {
    this.#need(length);
    const view = this.#bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return view;
  }

  /** A byte field after a `prefixBytes`-byte length, at most `maxBytes` long. */
  lengthPrefixedBytes(prefixBytes: 2 | 4, maxBytes: number, field: string): Buffer {
    const length = prefixBytes === 2 ? this.u16() : this.u32();
    if (length > maxBytes) throw this.#malformed(`${field} is over ${maxBytes} bytes`, { field, length });
    return this.bytes(length);
  }

  /** A UTF-8 string after a length prefix, `minBytes`..`maxBytes` long. */
  lengthPrefixedString(prefixBytes: 2 | 4, minBytes: number, maxBytes: number, field: string): string {
    const view = this.lengthPrefixedBytes(prefixBytes, maxBytes, field);
    if (view.length < minBytes) throw this.#malformed(`${field} is under ${minBytes} bytes`, { field });
    try {
      return utf8.decode(view);
    } catch {
      throw this.#malformed(`${field} is not valid UTF-8`, { field });
    }
  }

  #need(length: number): void {
    if (length > this.remaining) {
      throw new EnvelopeError('truncated', `The ${this.#what} ends early`, {
        needed: this.#offset + length,
        actual: this.#bytes.length,
      });
    }
  }

  #malformed(reason: string, data: Record<string, unknown>): EnvelopeError {
    return new EnvelopeError('malformed', `The ${this.#what} is malformed: ${reason}`, data);
  }
}
