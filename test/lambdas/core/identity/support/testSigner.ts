import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { CertificateSigner } from '../../../../../lambdas/core/identity/CertificateSigner.ts';

/** A P-256 signer over an in-memory node:crypto key, for core tests that need a CA key. */
export function testSigner(): CertificateSigner & { readonly privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey,
    publicKeySpki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    sign: async (tbs) => new Uint8Array(sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' })),
  };
}
