/**
 * The contract every provider keeps, checked against each provider's own oracle (support/oracles.ts):
 * authentic requests verify, anything altered or stale does not, rotation works, and no input throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VerifyResult } from '../../../../../lambdas/core/signatures/types.ts';
import { contractBody, type Headers, oracles, type ProviderOracle } from '../support/oracles.ts';
import { signedRequest } from '../support/signedRequest.ts';

const AT = 1_767_225_600; // 2026-01-01T00:00:00Z

function verify(
  oracle: ProviderOracle,
  headers: Headers,
  body: string | Uint8Array,
  secrets: string[],
  now = AT,
) {
  return oracle.provider.verify({
    request: signedRequest({ headers, body }),
    source: { provider: oracle.provider.id, secrets, ...oracle.source },
    nowSeconds: now,
  });
}

function reasonOf(result: VerifyResult): string {
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.reason;
}

describe.each(oracles.map((oracle) => [oracle.provider.id, oracle] as const))('%s', (_id, oracle) => {
  const body = contractBody(AT);

  it('accepts a request signed by the provider, reporting the scheme, secret and delivery id', async () => {
    // Prepare
    const secret = oracle.secret();
    const headers = await oracle.sign(body, secret, AT);

    // Act
    const result = verify(oracle, headers, body, [secret]);

    // Assess
    expect(result).toEqual({
      ok: true,
      scheme: expect.any(String),
      secretIndex: 0,
      ...(oracle.deliveryId === undefined ? {} : { deliveryId: oracle.deliveryId }),
    });
  });

  it('refuses a body with one byte changed', async () => {
    const secret = oracle.secret();
    const headers = await oracle.sign(body, secret, AT);
    const tampered = new TextEncoder().encode(body);
    tampered[Math.floor(tampered.length / 2)]! ^= 0x01;

    expect(reasonOf(verify(oracle, headers, tampered, [secret]))).toMatch(/does not match|webhookTimestamp/);
  });

  it('refuses the same JSON re-serialised (same data, different bytes)', async () => {
    const secret = oracle.secret();
    const headers = await oracle.sign(body, secret, AT);
    const reserialised = JSON.stringify(JSON.parse(body));

    expect(reasonOf(verify(oracle, headers, reserialised, [secret]))).toBe('signature does not match');
  });

  it('refuses a request signed with another secret', async () => {
    const headers = await oracle.sign(body, oracle.secret(), AT);

    expect(reasonOf(verify(oracle, headers, body, [oracle.secret()]))).toBe('signature does not match');
  });

  it('accepts the old and the new secret during a rotation, naming the one that matched', async () => {
    const [next, previous] = [oracle.secret(), oracle.secret()];
    const byPrevious = await oracle.sign(body, previous, AT);
    const byNext = await oracle.sign(body, next, AT);

    const old = verify(oracle, byPrevious, body, [next, previous]);
    const current = verify(oracle, byNext, body, [next, previous]);

    expect(old).toMatchObject({ ok: true, secretIndex: 1 });
    expect(current).toMatchObject({ ok: true, secretIndex: 0 });
  });

  it('refuses a request without its signature header', async () => {
    const secret = oracle.secret();
    const { [oracle.signatureHeader]: _removed, ...headers } = await oracle.sign(body, secret, AT);

    expect(reasonOf(verify(oracle, headers, body, [secret]))).toContain(`missing ${oracle.signatureHeader}`);
  });

  it.each([
    ['empty', ''],
    ['blank', ' '],
    ['garbage', 'garbage'],
    ['a lone equals sign', '='],
    ['only separators', ',,,'],
    ['a prefix without a MAC', 'sha256='],
    ['a version without a MAC', 'v1='],
    ['a Standard Webhooks version without a MAC', 'v1,'],
    ['empty Stripe pairs', 't=,v1='],
    ['empty Paddle pairs', 'ts=;h1='],
    ['non-hex after the prefix', 'sha256=zz'],
    ['non-hex after v0=', 'v0=not-hex'],
    ['control and non-characters', '\u0000\uffff'],
    ['20,000 characters', 'a'.repeat(20_000)],
    ['a hundred signatures', Array.from({ length: 100 }, () => 'v1=00').join(',')],
  ])('refuses a malformed signature header (%s) without throwing', async (_label, value) => {
    const secret = oracle.secret();
    const headers = { ...(await oracle.sign(body, secret, AT)), [oracle.signatureHeader]: value };

    expect(verify(oracle, headers, body, [secret]).ok).toBe(false);
  });

  it(
    oracle.duplicates === 'refused'
      ? 'refuses a signature header sent twice (ambiguous)'
      : 'reads a signature header sent twice as more signatures',
    async () => {
      const secret = oracle.secret();
      const forged = await oracle.sign(body, oracle.secret(), AT);
      const valid = await oracle.sign(body, secret, AT);
      // The ingress joins a repeated header with ', ', as API Gateway and Node do.
      const headers = {
        ...valid,
        [oracle.signatureHeader]: `${forged[oracle.signatureHeader]}, ${valid[oracle.signatureHeader]}`,
      };

      const result = verify(oracle, headers, body, [secret]);

      if (oracle.duplicates === 'refused') expect(reasonOf(result)).toContain('duplicated');
      else expect(result).toMatchObject({ ok: true, secretIndex: 0 });
    },
  );

  if (oracle.combine) {
    const combine = oracle.combine;
    it('accepts a header carrying several signatures when one of them is valid', async () => {
      const secret = oracle.secret();
      const headers = combine(
        await oracle.sign(body, oracle.secret(), AT),
        await oracle.sign(body, secret, AT),
      );

      expect(verify(oracle, headers, body, [secret])).toMatchObject({ ok: true, secretIndex: 0 });
    });
  }

  if (oracle.tolerance !== undefined) {
    const tolerance = oracle.tolerance;
    it(`bounds the signed timestamp to ${tolerance} s either way`, async () => {
      const secret = oracle.secret();
      const headers = await oracle.sign(body, secret, AT);

      expect(verify(oracle, headers, body, [secret], AT + tolerance).ok).toBe(true);
      expect(verify(oracle, headers, body, [secret], AT - tolerance).ok).toBe(true);
      expect(reasonOf(verify(oracle, headers, body, [secret], AT + tolerance + 1))).toBe('timestamp too old');
      expect(reasonOf(verify(oracle, headers, body, [secret], AT - tolerance - 1))).toBe(
        'timestamp in the future',
      );
    });

    it('lets a source widen the tolerance', async () => {
      const secret = oracle.secret();
      const headers = await oracle.sign(body, secret, AT);
      const result = oracle.provider.verify({
        request: signedRequest({ headers, body }),
        source: { provider: oracle.provider.id, secrets: [secret], toleranceSeconds: 3600, ...oracle.source },
        nowSeconds: AT + 3000,
      });

      expect(result.ok).toBe(true);
    });
  }

  it('verifies any signed body and refuses it after any single-byte change', async () => {
    const secret = oracle.secret();
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 300 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (payload, at, flip) => {
          const signed = oracle.bodyFor ? oracle.bodyFor(payload, AT) : payload;
          const headers = await oracle.sign(signed, secret, AT);
          const bytes = new TextEncoder().encode(signed);

          expect(verify(oracle, headers, bytes, [secret]).ok).toBe(true);
          if (bytes.length === 0) return;
          const altered = bytes.slice();
          altered[at % bytes.length]! ^= flip;
          expect(verify(oracle, headers, altered, [secret]).ok).toBe(false);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never throws on hostile headers and bodies', async () => {
    const secret = oracle.secret();
    const names = Object.keys(await oracle.sign(body, secret, AT));
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(...names, 'x-other'),
          fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), fc.base64String({ maxLength: 100 })),
        ),
        fc.uint8Array({ maxLength: 256 }),
        (headers, bytes) => {
          expect(() => verify(oracle, headers, bytes, [secret])).not.toThrow();
        },
      ),
      { numRuns: 100 },
    );
  });
});
