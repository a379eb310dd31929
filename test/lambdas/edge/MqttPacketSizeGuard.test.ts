import fc from 'fast-check';
import { generate } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { MqttPacketSizeGuard } from '../../../lambdas/edge/MqttPacketSizeGuard.ts';

/** A real MQTT 3.1.1 PUBLISH, encoded by mqtt-packet (the encoder aedes and mqtt.js use). */
function publishPacket(payloadBytes: number, topic = 'clawpulsar/laptop/acks'): Buffer {
  return generate({
    cmd: 'publish',
    topic,
    payload: Buffer.alloc(payloadBytes, 0x61),
    qos: 1,
    messageId: 7,
    dup: false,
    retain: false,
  });
}

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function split(bytes: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    parts.push(bytes.subarray(start, point));
    start = point;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

function feed(guard: MqttPacketSizeGuard, parts: readonly Buffer[]): boolean {
  return parts.every((part) => guard.accept(part));
}

describe('MqttPacketSizeGuard', () => {
  it('accepts a stream of packets within the limit however it is split into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (sizes, cuts) => {
          // Prepare
          const packets = sizes.map((size) => publishPacket(size));
          const largest = Math.max(...packets.map((p) => p.length));
          const guard = new MqttPacketSizeGuard(largest);
          // Act
          const accepted = feed(guard, split(Buffer.concat(packets), cuts));
          // Assess
          expect(accepted).toBe(true);
          expect(guard.refused).toBe(false);
        },
      ),
    );
  });

  it('refuses the stream at the first packet one byte over the limit, however it is split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 5 }),
        fc.integer({ min: 200, max: 3000 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (before, oversize, cuts) => {
          // Prepare
          const big = publishPacket(oversize);
          const guard = new MqttPacketSizeGuard(big.length - 1);
          const small = before.map((size) => publishPacket(Math.min(size, oversize - 1)));
          // Act
          const accepted = feed(guard, split(Buffer.concat([...small, big]), cuts));
          // Assess
          expect(accepted).toBe(false);
          expect(guard.refused).toBe(true);
        },
      ),
    );
  });

  it('refuses an oversized packet from its header alone, before any of its body arrives', () => {
    // Prepare
    const guard = new MqttPacketSizeGuard(256 * 1024);
    const header = publishPacket(300 * 1024).subarray(0, 5);
    // Act
    const accepted = guard.accept(header);
    // Assess
    expect(accepted).toBe(false);
  });

  it('accepts a packet of exactly the limit and refuses one byte more', () => {
    // Prepare
    const packet = publishPacket(1000);
    const exact = new MqttPacketSizeGuard(packet.length);
    const under = new MqttPacketSizeGuard(packet.length - 1);
    // Act + Assess
    expect(exact.accept(packet)).toBe(true);
    expect(under.accept(packet)).toBe(false);
  });

  it('accepts zero-length packets such as PINGREQ and DISCONNECT', () => {
    // Prepare
    const guard = new MqttPacketSizeGuard(16);
    const stream = Buffer.concat([generate({ cmd: 'pingreq' }), generate({ cmd: 'disconnect' })]);
    // Act + Assess
    expect(guard.accept(stream)).toBe(true);
  });

  it('refuses a remaining-length field longer than four bytes', () => {
    // Prepare
    const guard = new MqttPacketSizeGuard(Number.MAX_SAFE_INTEGER);
    // Act
    const accepted = guard.accept(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80, 0x01]));
    // Assess
    expect(accepted).toBe(false);
  });

  it('stays refused once it has refused', () => {
    // Prepare
    const guard = new MqttPacketSizeGuard(10);
    guard.accept(publishPacket(100));
    // Act
    const accepted = guard.accept(generate({ cmd: 'pingreq' }));
    // Assess
    expect(accepted).toBe(false);
  });

  it('refuses a nonsensical limit', () => {
    expect(() => new MqttPacketSizeGuard(1)).toThrow(RangeError);
    expect(() => new MqttPacketSizeGuard(1.5)).toThrow(RangeError);
  });
});
