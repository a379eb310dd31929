import { generateKeyPairSync, sign } from 'node:crypto';
import { Attributes, CertificationRequest, CertificationRequestInfo } from '@peculiar/asn1-csr';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
} from '@peculiar/asn1-x509';
import { encodePem } from '../../lambdas/core/identity/pem.ts';

const OID_COMMON_NAME = '2.5.4.3';
const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/** A fresh TLS key (never sent anywhere) and the certificate request for it (the only thing sent). */
export interface TlsKeyAndCsr {
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  /** PKCS#10 PEM. */
  readonly csrPem: string;
}

/**
 * Generates an ECDSA P-256 key on this machine and a PKCS#10 request (RFC 2986) signed with it. The CA
 * takes only the public key from the request; `commonName` is a hint (the CA sets the subject).
 *
 * @example
 * const { privateKeyPem, csrPem } = createTlsKeyAndCsr('laptop');
 */
export function createTlsKeyAndCsr(commonName: string): TlsKeyAndCsr {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const info = new CertificationRequestInfo({
    version: 0,
    subject: new Name([
      new RelativeDistinguishedName([
        new AttributeTypeAndValue({
          type: OID_COMMON_NAME,
          value: new AttributeValue({ utf8String: commonName }),
        }),
      ]),
    ]),
    subjectPKInfo: AsnConvert.parse(publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo),
    // An empty attribute set (A0 00), as OpenSSL writes it: RFC 2986's module has no OPTIONAL here.
    attributes: new Attributes(),
  });
  const toBeSigned = Buffer.from(AsnConvert.serialize(info));
  // ecdsa-with-SHA256 carries no parameters (RFC 5758 §3.2); the signature is the DER ECDSA-Sig-Value.
  const signature = sign('sha256', toBeSigned, { key: privateKey, dsaEncoding: 'der' });
  const request = new CertificationRequest({
    certificationRequestInfo: info,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: OID_ECDSA_WITH_SHA256 }),
    signature: new Uint8Array(signature).buffer,
  });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    csrPem: encodePem('CERTIFICATE REQUEST', new Uint8Array(AsnConvert.serialize(request))),
  };
}
