import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HPKE_SUITE_ID, N_H } from '../../../../../lambdas/core/envelope/hpke/hpkeSuite.ts';
import { labeledExpand, labeledExtract } from '../../../../../lambdas/core/envelope/hpke/labeledKdf.ts';

const prefix = (label: string) => Buffer.concat([Buffer.from('HPKE-v1'), HPKE_SUITE_ID, Buffer.from(label)]);

describe('labeledExtract and labeledExpand', () => {
  it('equal node:crypto HKDF over the labeled input, for every length up to Nh', () => {
    // Prepare
    const salt = Buffer.from('salt');
    const ikm = Buffer.from('input keying material');
    const info = Buffer.from('info');

    for (let length = 1; length <= N_H; length++) {
      const lengthPrefix = Buffer.from([length >> 8, length & 0xff]);
      const expected = Buffer.from(
        hkdfSync(
          'sha256',
          Buffer.concat([prefix('label'), ikm]),
          salt,
          Buffer.concat([lengthPrefix, prefix('label'), info]),
          length,
        ),
      );

      // Act
      const okm = labeledExpand(
        HPKE_SUITE_ID,
        labeledExtract(HPKE_SUITE_ID, salt, 'label', ikm),
        'label',
        info,
        length,
      );

      // Assess
      expect(okm.equals(expected)).toBe(true);
    }
  });

  it('refuses a length the suite never asks for', () => {
    const prk = Buffer.alloc(N_H);
    for (const length of [0, -1, 1.5, N_H + 1]) {
      expect(() => labeledExpand(HPKE_SUITE_ID, prk, 'label', Buffer.alloc(0), length)).toThrow(RangeError);
    }
  });
});
