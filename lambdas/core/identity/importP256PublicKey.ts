import { createPublicKey, type KeyObject } from 'node:crypto';
import { ECParameters, id_ecPublicKey, id_secp256r1 } from '@peculiar/asn1-ecc';
import { AsnConvert } from '@peculiar/asn1-schema';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { parseDer } from './parseDer.ts';

/** An EC P-256 public key, checked: its DER SPKI, its parsed form and the node:crypto key. */
export interface P256PublicKey {
  readonly spki: Uint8Array;
  readonly info: SubjectPublicKeyInfo;
  readonly key: KeyObject;
}

/** Why a public key was refused. */
export type P256KeyRejection = 'malformed' | 'not_ec' | 'not_p256' | 'compressed_point';

const UNCOMPRESSED_POINT_LENGTH = 65;

/**
 * Accepts only an EC public key on the named curve P-256 with an uncompressed point on the curve
 * (RSA, Ed25519, other curves and explicit curve parameters are refused).
 *
 * @example
 * const result = importP256PublicKey(spkiDer);
 * if ('rejection' in result) throw new BadRequestError('csr_key_unsupported', result.rejection);
 */
export function importP256PublicKey(
  spki: Uint8Array | SubjectPublicKeyInfo,
): P256PublicKey | { rejection: P256KeyRejection } {
  const info = spki instanceof Uint8Array ? parseDer(spki, SubjectPublicKeyInfo) : spki;
  if (!info) return { rejection: 'malformed' };
  if (info.algorithm.algorithm !== id_ecPublicKey) return { rejection: 'not_ec' };
  const parameters = info.algorithm.parameters;
  const curve = parameters ? parseDer(new Uint8Array(parameters), ECParameters) : undefined;
  if (curve?.namedCurve !== id_secp256r1) return { rejection: 'not_p256' };
  const point = new Uint8Array(info.subjectPublicKey);
  if (point.length !== UNCOMPRESSED_POINT_LENGTH || point[0] !== 0x04)
    return { rejection: 'compressed_point' };
  const der = spki instanceof Uint8Array ? spki : new Uint8Array(AsnConvert.serialize(info));
  try {
    // OpenSSL checks that the point is on the curve.
    const key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      return { rejection: 'not_p256' };
    }
    return { spki: der, info, key };
  } catch {
    return { rejection: 'malformed' };
  }
}
