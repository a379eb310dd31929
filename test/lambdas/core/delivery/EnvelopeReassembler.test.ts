import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkEnvelope, MAX_ENVELOPE_BYTES } from '../../../../lambdas/core/delivery/chunkEnvelope.ts';
import { EnvelopeReassembler } from '../../../../lambdas/core/delivery/EnvelopeReassembler.ts';
import { BadRequestError } from '../../../../lambdas/core/errors.ts';
import { arbitraryBody } from '../envelope/envelopeFactories.ts';

const T0 = Date.UTC(2026, 0, 15, 9);

/** Distinct, recognisable bytes for envelope `seed`. */
function envelopeOf(length: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7) % 256;
  return bytes;
}

/** A copy of `frame` with its totalBytes field replaced. */
function withTotal(frame: Uint8Array, totalBytes: number): Buffer {
  const copy = Buffer.from(frame);
  copy.writeUInt32BE(totalBytes, 5);
  return copy;
}

/** Feeds frames in the given order; returns every envelope that came out. */
function feed(reassembler: EnvelopeReassembler, frames: readonly Uint8Array[], now = T0) {
  const out: { envelopeId: string; envelope: Uint8Array }[] = [];
  for (const frame of frames) {
    const whole = reassembler.accept(frame, now);
    if (whole) out.push(whole);
  }
  return out;
}

describe('EnvelopeReassembler', () => {
  it('returns a one-frame envelope at once without holding anything', () => {
    // Prepare
    const reassembler = new EnvelopeReassembler();
    const envelope = envelopeOf(1_000);

    // Act
    const whole = reassembler.accept(chunkEnvelope('env-1', envelope)[0]!, T0);

    // Assess
    expect(whole?.envelopeId).toBe('env-1');
    expect(Buffer.from(whole!.envelope).equals(envelope)).toBe(true);
    expect(reassembler.pendingCount).toBe(0);
  });

  it('drops a one-frame envelope whose payload is shorter than its declared size', () => {
    // Prepare
    const reassembler = new EnvelopeReassembler();
    const frame = withTotal(chunkEnvelope('env-1', envelopeOf(100))[0]!, 101);

    // Act
    const whole = reassembler.accept(frame, T0);

    // Assess
    expect(whole).toBeUndefined();
    expect(reassembler.pendingCount).toBe(0);
  });

  it('holds chunks until the last arrives, then returns the envelope and forgets it', () => {
    // Prepare
    const reassembler = new EnvelopeReassembler();
    const envelope = envelopeOf(250);
    const [a, b, c] = chunkEnvelope('env-1', envelope, 100);

    // Act
    const afterFirst = reassembler.accept(a!, T0);
    const pendingAfterFirst = reassembler.pendingCount;
    const afterSecond = reassembler.accept(b!, T0);
    const whole = reassembler.accept(c!, T0);

    // Assess
    expect(afterFirst).toBeUndefined();
    expect(afterSecond).toBeUndefined();
    expect(pendingAfterFirst).toBe(1);
    expect(whole?.envelopeId).toBe('env-1');
    expect(Buffer.from(whole!.envelope).equals(envelope)).toBe(true);
    expect(reassembler.pendingCount).toBe(0);
  });

  it('reassembles chunks that arrive in reverse order', () => {
    // Prepare
    const envelope = envelopeOf(1_000);
    const frames = chunkEnvelope('env-1', envelope, 64).reverse();

    // Act
    const out = feed(new EnvelopeReassembler(), frames);

    // Assess
    expect(out).toHaveLength(1);
    expect(Buffer.from(out[0]!.envelope).equals(envelope)).toBe(true);
  });

  it('ignores a chunk delivered twice (QoS 1) and completes only when every index has arrived', () => {
    // Prepare
    const reassembler = new EnvelopeReassembler();
    const envelope = envelopeOf(300);
    const [a, b, c] = chunkEnvelope('env-1', envelope, 100);

    // Act
    const early = feed(reassembler, [a!, a!, b!, b!]);
    const late = feed(reassembler, [c!]);

    // Assess
    expect(early).toEqual([]);
    expect(late).toHaveLength(1);
    expect(Buffer.from(late[0]!.envelope).equals(envelope)).toBe(true);
  });

  it('reassembles an envelope the edge sends again after it was completed (the agent dedupes it)', () => {
    // Prepare
    const reassembler = new EnvelopeReassembler();
    const frames = chunkEnvelope('env-1', envelopeOf(300), 100);
    feed(reassembler, frames);

    // Act
    const again = feed(reassembler, frames);

    // Assess
    expect(again).toHaveLength(1);
    expect(reassembler.pendingCount).toBe(0);
  });

  it('keeps interleaved envelopes apart', () => {
    // Prepare
    const one = envelopeOf(500, 1);
    const two = envelopeOf(420, 2);
    const a = chunkEnvelope('env-1', one, 100);
    const b = chunkEnvelope('env-2', two, 100);
    const interleaved = a.flatMap((frame, i) => (b[i] ? [frame, b[i]] : [frame]));

    // Act
    const out = feed(new EnvelopeReassembler(), interleaved);

    // Assess
    expect(out.map((w) => w.envelopeId).sort()).toEqual(['env-1', 'env-2']);
    expect(Buffer.from(out.find((w) => w.envelopeId === 'env-1')!.envelope).equals(one)).toBe(true);
    expect(Buffer.from(out.find((w) => w.envelopeId === 'env-2')!.envelope).equals(two)).toBe(true);
  });

  it('ignores a chunk that claims the same id with another count or size, and completes the first', () => {
    // Prepare
    const reassembler = new EnvelopeReassembler();
    const envelope = envelopeOf(300);
    const [a, b, c] = chunkEnvelope('env-1', envelope, 100);
    const otherCount = chunkEnvelope('env-1', envelopeOf(300), 150)[1]!;
    const otherSize = chunkEnvelope('env-1', envelopeOf(299), 100)[2]!;

    // Act
    const out = feed(reassembler, [a!, otherCount, otherSize, b!, c!]);

    // Assess
    expect(out).toHaveLength(1);
    expect(Buffer.from(out[0]!.envelope).equals(envelope)).toBe(true);
  });

  it('drops an envelope whose chunks do not add up to its declared size', () => {
    // Prepare: the last chunk of another, shorter envelope under the same id, count and declared size.
    const reassembler = new EnvelopeReassembler();
    const [a, b] = chunkEnvelope('env-1', envelopeOf(300), 100);
    const short = withTotal(chunkEnvelope('env-1', envelopeOf(250), 100)[2]!, 300);

    // Act
    const out = feed(reassembler, [a!, b!, short]);

    // Assess
    expect(out).toEqual([]);
    expect(reassembler.pendingCount).toBe(0);
  });

  it('ignores a chunk that would carry the envelope past its declared size, and completes with the right one', () => {
    // Prepare: a 150-byte chunk for index 2 of a 300-byte envelope whose first two chunks hold 200.
    const reassembler = new EnvelopeReassembler();
    const envelope = envelopeOf(300);
    const [a, b, c] = chunkEnvelope('env-1', envelope, 100);
    const oversized = withTotal(chunkEnvelope('env-1', envelopeOf(450), 150)[2]!, 300);

    // Act
    const early = feed(reassembler, [a!, b!, oversized]);
    const pending = reassembler.pendingCount;
    const out = feed(reassembler, [c!]);

    // Assess
    expect(early).toEqual([]);
    expect(pending).toBe(1);
    expect(Buffer.from(out[0]!.envelope).equals(envelope)).toBe(true);
  });

  it('throws bad_chunk for a malformed frame and keeps the envelopes under way', () => {
    // Prepare
    const reassembler = new EnvelopeReassembler();
    const envelope = envelopeOf(200);
    const [a, b] = chunkEnvelope('env-1', envelope, 100);
    reassembler.accept(a!, T0);

    // Act
    const attempt = () => reassembler.accept(Buffer.from('not a frame'), T0);

    // Assess
    expect(attempt).toThrow(BadRequestError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'bad_chunk' }));
    expect(Buffer.from(reassembler.accept(b!, T0)!.envelope).equals(envelope)).toBe(true);
  });

  describe('gives up on an envelope that does not complete in time (the edge sends it again)', () => {
    it('still completes a chunk arriving exactly at the timeout', () => {
      // Prepare
      const reassembler = new EnvelopeReassembler({ timeoutMs: 1_000 });
      const [a, b] = chunkEnvelope('env-1', envelopeOf(200), 100);
      reassembler.accept(a!, T0);

      // Act
      const whole = reassembler.accept(b!, T0 + 1_000);

      // Assess
      expect(whole?.envelopeId).toBe('env-1');
    });

    it('drops the old chunks one millisecond later, and completes from the chunks sent again', () => {
      // Prepare
      const reassembler = new EnvelopeReassembler({ timeoutMs: 1_000 });
      const envelope = envelopeOf(200);
      const [a, b] = chunkEnvelope('env-1', envelope, 100);
      reassembler.accept(a!, T0);

      // Act
      const late = reassembler.accept(b!, T0 + 1_001);
      const pendingAfterLate = reassembler.pendingCount;
      const resent = reassembler.accept(a!, T0 + 1_002);

      // Assess
      expect(late).toBeUndefined();
      expect(pendingAfterLate).toBe(1);
      expect(Buffer.from(resent!.envelope).equals(envelope)).toBe(true);
    });

    it('waits five minutes by default', () => {
      // Prepare
      const [a, b] = chunkEnvelope('env-1', envelopeOf(200), 100);
      const onTime = new EnvelopeReassembler();
      const late = new EnvelopeReassembler();
      onTime.accept(a!, T0);
      late.accept(a!, T0);

      // Act
      const inTime = onTime.accept(b!, T0 + 300_000);
      const tooLate = late.accept(b!, T0 + 300_001);

      // Assess
      expect(inTime?.envelopeId).toBe('env-1');
      expect(tooLate).toBeUndefined();
    });

    it('drops every stale envelope when any chunk arrives, freeing its memory', () => {
      // Prepare
      const reassembler = new EnvelopeReassembler({ timeoutMs: 1_000, maxHeldBytes: 400 });
      for (const id of ['old-1', 'old-2'])
        reassembler.accept(chunkEnvelope(id, envelopeOf(200), 100)[0]!, T0);
      const fresh = chunkEnvelope('fresh', envelopeOf(400), 100);

      // Act
      const out = feed(reassembler, fresh, T0 + 1_001);

      // Assess
      expect(out.map((w) => w.envelopeId)).toEqual(['fresh']);
      expect(reassembler.pendingCount).toBe(0);
    });
  });

  describe('bounds the memory it holds', () => {
    it('counts each envelope under way at its declared size, so interleaved chunks cannot exceed the cap', () => {
      // Prepare: five 60-byte envelopes in three chunks (25, 25, 10), against a 100-byte cap. The
      // short last chunks arrive first, as they may when the edge publishes several envelopes at once.
      const reassembler = new EnvelopeReassembler({ maxHeldBytes: 100 });
      const ids = ['env-a', 'env-b', 'env-c', 'env-d', 'env-e'];
      const frames = ids.map((id, seed) => chunkEnvelope(id, envelopeOf(60, seed), 25));

      // Act
      feed(
        reassembler,
        frames.map((f) => f[2]!),
      );
      feed(
        reassembler,
        frames.map((f) => f[0]!),
      );
      const pending = reassembler.pendingCount;
      const out = feed(
        reassembler,
        frames.map((f) => f[1]!),
      );

      // Assess: one 60-byte envelope fits in 100 bytes, a second does not.
      expect(pending).toBe(1);
      expect(out.map((w) => w.envelopeId)).toEqual(['env-a']);
    });

    it('refuses an envelope larger than the cap, and makes room again once one completes', () => {
      // Prepare
      const reassembler = new EnvelopeReassembler({ maxHeldBytes: 100 });
      const big = chunkEnvelope('big', envelopeOf(101), 50);
      const [a1, a2] = chunkEnvelope('env-a', envelopeOf(60), 30);
      const [b1, b2] = chunkEnvelope('env-b', envelopeOf(60), 30);

      // Act
      const bigOut = feed(reassembler, big);
      reassembler.accept(a1!, T0);
      const refusedB = reassembler.accept(b1!, T0);
      const pendingWhileFull = reassembler.pendingCount;
      feed(reassembler, [a2!]);
      const bOut = feed(reassembler, [b1!, b2!]);

      // Assess
      expect(bigOut).toEqual([]);
      expect(refusedB).toBeUndefined();
      expect(pendingWhileFull).toBe(1);
      expect(bOut.map((w) => w.envelopeId)).toEqual(['env-b']);
    });

    it('holds five 11 MiB envelopes under way by default, not six (64 MiB)', () => {
      // Prepare: only each envelope's first chunk is fed.
      const reassembler = new EnvelopeReassembler();
      const envelope = new Uint8Array(MAX_ENVELOPE_BYTES);
      const firsts = Array.from({ length: 6 }, (_, i) => chunkEnvelope(`env-${i}`, envelope)[0]!);

      // Act
      feed(reassembler, firsts);

      // Assess
      expect(reassembler.pendingCount).toBe(5);
    });
  });

  it('gives back any byte string exactly, whatever the chunk size, order and duplicates', () => {
    fc.assert(
      fc.property(
        arbitraryBody(20_000),
        fc.integer({ min: 1, max: 3_000 }),
        fc.infiniteStream(fc.nat()),
        fc.array(fc.nat(), { maxLength: 10 }),
        (envelope, chunkSize, draws, duplicates) => {
          // Prepare: a shuffled copy of the frames with some frames repeated.
          const frames = chunkEnvelope('env-prop', envelope, chunkSize);
          const order = [...frames, ...duplicates.map((d) => frames[d % frames.length]!)];
          const random = draws[Symbol.iterator]();
          for (let i = order.length - 1; i > 0; i--) {
            const j = (random.next().value as number) % (i + 1);
            [order[i], order[j]] = [order[j]!, order[i]!];
          }
          const reassembler = new EnvelopeReassembler();

          // Act
          const out = feed(reassembler, order);

          // Assess: exactly once unless a duplicate came after completion and completed it again.
          expect(out.length).toBeGreaterThanOrEqual(1);
          for (const whole of out) expect(Buffer.from(whole.envelope).equals(envelope)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
