const HEADER = 0;
const LENGTH = 1;
const BODY = 2;
const REFUSED = 3;

/**
 * Watches an inbound MQTT byte stream and says when a packet would exceed `maxPacketBytes`.
 *
 * The MQTT parser under aedes buffers a packet until all of its announced length has arrived and has no
 * size limit of its own, so a client announcing a 256 MB packet would make the broker hold 256 MB. This
 * guard reads only the fixed headers (type byte + variable-length "remaining length") and skips over
 * bodies, so it costs a few comparisons per packet and never copies a byte. Once it refuses, it refuses
 * for good: the connection is to be closed.
 *
 * @example
 * const guard = new MqttPacketSizeGuard(256 * 1024);
 * socket.on('data', (chunk) => { if (!guard.accept(chunk)) socket.destroy(); });
 */
export class MqttPacketSizeGuard {
  readonly maxPacketBytes: number;
  #state: 0 | 1 | 2 | 3 = HEADER;
  #remaining = 0;
  #length = 0;
  #multiplier = 1;
  #lengthBytes = 0;

  constructor(maxPacketBytes: number) {
    if (!Number.isInteger(maxPacketBytes) || maxPacketBytes < 2) {
      throw new RangeError('maxPacketBytes must be an integer of at least 2');
    }
    this.maxPacketBytes = maxPacketBytes;
  }

  /** Whether the guard has refused the stream. */
  get refused(): boolean {
    return this.#state === REFUSED;
  }

  /**
   * Feeds the next chunk of the stream. Returns false when a packet in it (or announced by it) is over
   * the limit or its length field is malformed; the stream must then be dropped.
   */
  accept(chunk: Uint8Array): boolean {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (this.#state) {
        case HEADER:
          i++;
          this.#state = LENGTH;
          this.#length = 0;
          this.#multiplier = 1;
          this.#lengthBytes = 0;
          break;
        case LENGTH: {
          const byte = chunk[i++]!;
          this.#length += (byte & 0x7f) * this.#multiplier;
          this.#lengthBytes++;
          // Fixed header = 1 type byte + the length bytes; the packet is that plus `length`.
          if (1 + this.#lengthBytes + this.#length > this.maxPacketBytes) return this.#refuse();
          if (byte & 0x80) {
            // MQTT 3.1.1 §2.2.3: the remaining length takes at most four bytes.
            if (this.#lengthBytes === 4) return this.#refuse();
            this.#multiplier *= 128;
          } else if (this.#length === 0) {
            this.#state = HEADER;
          } else {
            this.#remaining = this.#length;
            this.#state = BODY;
          }
          break;
        }
        case BODY: {
          const take = Math.min(this.#remaining, n - i);
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#state = HEADER;
          break;
        }
        default:
          return false;
      }
    }
    return this.#state !== REFUSED;
  }

  #refuse(): false {
    this.#state = REFUSED;
    return false;
  }
}
