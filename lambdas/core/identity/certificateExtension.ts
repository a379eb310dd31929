import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { type Certificate, Extension } from '@peculiar/asn1-x509';
import { parseDer } from './parseDer.ts';

/**
 * One X.509 extension: `value` is an @peculiar/asn1-x509 object, serialized to DER into extnValue.
 *
 * @example
 * certificateExtension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false }));
 */
export function certificateExtension(extnID: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** An extension read from a certificate: absent, present but unreadable or repeated, or its value. */
export type ReadExtension<T> =
  | { readonly status: 'absent' }
  | { readonly status: 'invalid' }
  | { readonly status: 'present'; readonly critical: boolean; readonly value: T };

/**
 * Finds the extension `extnID` in `certificate` and parses its value as `Type` (strict DER). RFC 5280
 * §4.2 forbids repeating an extension, so a repeat reads as invalid.
 *
 * @example
 * const san = readExtension(certificate, id_ce_subjectAltName, SubjectAlternativeName);
 */
export function readExtension<T>(
  certificate: Certificate,
  extnID: string,
  Type: new () => T,
): ReadExtension<T> {
  const matches = (certificate.tbsCertificate.extensions ?? []).filter(
    (extension) => extension.extnID === extnID,
  );
  if (matches.length === 0) return { status: 'absent' };
  const extension = matches[0]!;
  if (matches.length > 1) return { status: 'invalid' };
  const value = parseDer(new Uint8Array(extension.extnValue.buffer), Type);
  return value === undefined
    ? { status: 'invalid' }
    : { status: 'present', critical: extension.critical, value };
}
