import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { CertificateSigner } from '../../../../../lambdas/core/identity/CertificateSigner.ts';

/** An ECDSA signer over an in-memory node:crypto key (P-256 unless asked), for core tests that need a CA key. */
export function testSigner(namedCurve = 'P-256'): CertificateSigner & { readonly privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  return {
    privateKey,
    publicKeySpki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    sign: async (tbs) => new Uint8Array(sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' })),
  };
}
