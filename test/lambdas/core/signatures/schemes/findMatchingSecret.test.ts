import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findMatchingSecret } from '../../../../../lambdas/core/signatures/schemes/findMatchingSecret.ts';

const body = Buffer.from('{"id":"evt_1"}');
const macOf = (key: string | Uint8Array, ...pieces: (string | Uint8Array)[]) => {
  const hmac = createHmac('sha256', key);
  for (const piece of pieces) hmac.update(piece);
  return hmac.digest();
};

describe('findMatchingSecret', () => {
  it('names the first secret whose MAC over the pieces matches any candidate', () => {
    // Prepare
    const secrets = ['new', 'old'];
    const candidates = [Buffer.alloc(32), macOf('old', '1700000000.', body)];

    // Act
    const index = findMatchingSecret(secrets, 'sha256', ['1700000000.', body], candidates);

    // Assess
    expect(index).toBe(1);
  });

  it('returns -1 when no secret signs any candidate', () => {
    expect(findMatchingSecret(['a', 'b'], 'sha256', [body], [macOf('c', body)])).toBe(-1);
  });

  it('stops accepting a secret removed from the same array in place', () => {
    // Prepare
    const secrets = ['new', 'old'];
    const oldMac = macOf('old', body);
    expect(findMatchingSecret(secrets, 'sha256', [body], [oldMac])).toBe(1);

    // Act
    secrets.pop();

    // Assess
    expect(findMatchingSecret(secrets, 'sha256', [body], [oldMac])).toBe(-1);
  });

  it('uses a secret replaced in the same array in place', () => {
    // Prepare
    const secrets = ['first'];
    expect(findMatchingSecret(secrets, 'sha256', [body], [macOf('first', body)])).toBe(0);

    // Act
    secrets[0] = 'second';

    // Assess
    expect(findMatchingSecret(secrets, 'sha256', [body], [macOf('first', body)])).toBe(-1);
    expect(findMatchingSecret(secrets, 'sha256', [body], [macOf('second', body)])).toBe(0);
  });

  it('takes keys as bytes and skips missing ones', () => {
    // Prepare
    const key = Buffer.from('raw key bytes');

    // Act
    const index = findMatchingSecret([undefined, key], 'sha256', [body], [macOf(key, body)]);

    // Assess
    expect(index).toBe(1);
  });

  it('agrees with node:crypto for any UTF-8 secret, algorithm and pieces, called again on the same array', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.constantFrom('sha256', 'sha1', 'sha512'),
        fc.string({ maxLength: 20 }),
        fc.uint8Array({ maxLength: 200 }),
        (secret, algorithm, prefix, bytes) => {
          const secrets = ['other', secret];
          const mac = createHmac(algorithm, secret).update(prefix).update(bytes).digest();
          const expected = secret === 'other' ? 0 : 1;
          expect(findMatchingSecret(secrets, algorithm, [prefix, bytes], [mac])).toBe(expected);
          expect(findMatchingSecret(secrets, algorithm, [prefix, bytes], [mac])).toBe(expected);
        },
      ),
    );
  });
});
