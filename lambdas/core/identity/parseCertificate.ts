import { Certificate } from '@peculiar/asn1-x509';
import { BadRequestError } from '../errors.ts';
import { parseDer } from './parseDer.ts';
import { derFromPemOrDer } from './pem.ts';

/** Largest certificate accepted; ours are about 600 bytes. */
export const MAX_CERTIFICATE_BYTES = 16_384;

/** A parsed certificate together with the exact DER it came from. */
export interface ParsedCertificate {
  readonly certificate: Certificate;
  readonly der: Uint8Array;
}

/**
 * Parses one X.509 certificate (PEM or DER), strict DER and bounded size. It checks form only, not
 * trust. Errors (400): `certificate_too_large`, `pem_malformed`, `pem_label_unexpected`,
 * `certificate_malformed`.
 */
export function parseCertificate(input: string | Uint8Array): ParsedCertificate {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > MAX_CERTIFICATE_BYTES) {
    throw new BadRequestError(
      'certificate_too_large',
      `Certificate is ${size} bytes; the limit is ${MAX_CERTIFICATE_BYTES}`,
      {
        limitBytes: MAX_CERTIFICATE_BYTES,
        actualBytes: size,
      },
    );
  }
  const der = derFromPemOrDer(input, ['CERTIFICATE']);
  const certificate = parseDer(der, Certificate);
  if (!certificate?.tbsCertificateRaw) {
    throw new BadRequestError('certificate_malformed', 'Not a DER-encoded X.509 certificate');
  }
  return { certificate, der };
}
