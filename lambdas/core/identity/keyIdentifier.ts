import { createHash } from 'node:crypto';
import type { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';

/**
 * Subject/authority key identifier per RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey
 * BIT STRING value. SHA-1 is what the RFC names here; it is an identifier, not a security check.
 */
export function keyIdentifier(info: SubjectPublicKeyInfo): Uint8Array {
  return new Uint8Array(createHash('sha1').update(new Uint8Array(info.subjectPublicKey)).digest());
}
