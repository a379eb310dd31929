import { randomBytes, verify } from 'node:crypto';
import { ecdsaWithSHA256 } from '@peculiar/asn1-ecc';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  Certificate,
  type Extension,
  Extensions,
  type Name,
  type SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { ClawPulsarError } from '../errors.ts';
import type { CertificateSigner } from './CertificateSigner.ts';
import { importP256PublicKey, type P256PublicKey } from './importP256PublicKey.ts';
import { encodePem } from './pem.ts';

/** What a certificate says, before the serial number and signature are added. */
export interface CertificateTemplate {
  readonly issuer: Name;
  readonly subject: Name;
  /** Milliseconds since the epoch; X.509 keeps whole seconds, so both are truncated. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly subjectPublicKeyInfo: SubjectPublicKeyInfo;
  readonly extensions: readonly Extension[];
}

/** A signed certificate and the facts about it that callers record. */
export interface IssuedCertificate {
  readonly certificatePem: string;
  readonly certificateDer: Uint8Array;
  /** Lower-case hex of the positive 16-byte serial number. */
  readonly serialNumber: string;
  /** As encoded in the certificate (whole seconds), ms since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
}

const SERIAL_BYTES = 16;

/**
 * The signer's public key, checked to be P-256. A signer with another key is a deployment mistake,
 * so it is a 500, not a client error.
 */
export function signerPublicKey(signer: CertificateSigner): P256PublicKey {
  const result = importP256PublicKey(signer.publicKeySpki);
  if ('rejection' in result) {
    throw new ClawPulsarError('signer_key_unsupported', 'The CA signing key is not an EC P-256 key', 500, {
      rejection: result.rejection,
    });
  }
  return result;
}

/**
 * Builds the X.509 v3 TBSCertificate (ecdsa-with-SHA256, random positive 128-bit serial), has `signer`
 * sign it, checks the signature against the signer's public key before anything leaves here (a KMS key
 * that is not the one we think fails closed), and assembles the certificate.
 *
 * @example
 * const issued = await signCertificate({ issuer, subject, notBefore, notAfter, subjectPublicKeyInfo, extensions }, signer);
 */
export async function signCertificate(
  template: CertificateTemplate,
  signer: CertificateSigner,
): Promise<IssuedCertificate> {
  const signerKey = signerPublicKey(signer);
  const serial = randomBytes(SERIAL_BYTES);
  // Top bit clear keeps the INTEGER positive; the next bit set keeps it minimal at exactly 16 bytes.
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  const notBefore = Math.floor(template.notBefore / 1000) * 1000;
  const notAfter = Math.floor(template.notAfter / 1000) * 1000;
  const signatureAlgorithm = new AlgorithmIdentifier({ algorithm: ecdsaWithSHA256.algorithm });
  const tbsCertificate = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial.buffer.slice(serial.byteOffset, serial.byteOffset + SERIAL_BYTES),
    signature: signatureAlgorithm,
    issuer: template.issuer,
    validity: new Validity({ notBefore: new Date(notBefore), notAfter: new Date(notAfter) }),
    subject: template.subject,
    subjectPublicKeyInfo: template.subjectPublicKeyInfo,
    extensions: new Extensions([...template.extensions]),
  });
  const tbs = new Uint8Array(AsnConvert.serialize(tbsCertificate));
  const signature = await signer.sign(tbs);
  if (!verifiesWith(signerKey, tbs, signature)) {
    throw new ClawPulsarError(
      'signer_signature_invalid',
      'The CA signer returned a signature that does not verify with its public key',
      500,
    );
  }
  const certificate = new Certificate({
    tbsCertificate,
    signatureAlgorithm,
    signatureValue: signature.buffer.slice(
      signature.byteOffset,
      signature.byteOffset + signature.byteLength,
    ) as ArrayBuffer,
  });
  const certificateDer = new Uint8Array(AsnConvert.serialize(certificate));
  return {
    certificatePem: encodePem('CERTIFICATE', certificateDer),
    certificateDer,
    serialNumber: serial.toString('hex'),
    notBefore,
    notAfter,
  };
}

function verifiesWith(signerKey: P256PublicKey, tbs: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify('sha256', tbs, { key: signerKey.key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
