import { verify } from 'node:crypto';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { id_ecdsaWithSHA256, id_ecdsaWithSHA384, id_ecdsaWithSHA512 } from '@peculiar/asn1-ecc';
import { BadRequestError } from '../errors.ts';
import { importP256PublicKey, type P256PublicKey } from './importP256PublicKey.ts';
import { parseDer } from './parseDer.ts';
import { derFromPemOrDer } from './pem.ts';

/**
 * Largest CSR accepted, PEM or DER. A P-256 request with a modest subject is well under 1 KiB; the
 * bound keeps parsing cheap for input that arrives from the network before any authentication.
 */
export const MAX_CSR_BYTES = 8192;

const CSR_PEM_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'] as const;

const HASH_OF_SIGNATURE_ALGORITHM: Readonly<Record<string, string>> = {
  [id_ecdsaWithSHA256]: 'sha256',
  [id_ecdsaWithSHA384]: 'sha384',
  [id_ecdsaWithSHA512]: 'sha512',
};

/** A CSR whose self-signature verified: the agent holds the private key of `publicKey`. */
export interface CheckedCertificateRequest {
  readonly publicKey: P256PublicKey;
}

/**
 * Parses a PKCS#10 request (PEM as text or bytes, or DER bytes) and checks it: bounded size, strict DER, an EC P-256
 * key, and a valid ECDSA self-signature (proof of possession). The subject and attributes are ignored:
 * the agent id comes from the registration, never from the request.
 *
 * Errors (all 400): `csr_too_large`, `pem_malformed`, `pem_label_unexpected`, `csr_malformed`,
 * `csr_key_unsupported`, `csr_signature_algorithm_unsupported`, `csr_signature_invalid`.
 *
 * @example
 * const { publicKey } = parseCertificateRequest(csrPem);
 */
export function parseCertificateRequest(input: string | Uint8Array): CheckedCertificateRequest {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > MAX_CSR_BYTES) {
    throw new BadRequestError('csr_too_large', `CSR is ${size} bytes; the limit is ${MAX_CSR_BYTES}`, {
      limitBytes: MAX_CSR_BYTES,
      actualBytes: size,
    });
  }
  const der = derFromPemOrDer(input, CSR_PEM_LABELS);
  const request = parseDer(der, CertificationRequest);
  if (!request?.certificationRequestInfoRaw) {
    throw new BadRequestError('csr_malformed', 'Not a DER-encoded PKCS#10 certification request');
  }
  const info = request.certificationRequestInfo;
  if (info.version !== 0)
    throw new BadRequestError('csr_malformed', `Unsupported CSR version ${info.version}`);

  const publicKey = importP256PublicKey(info.subjectPKInfo);
  if ('rejection' in publicKey) {
    throw new BadRequestError('csr_key_unsupported', 'The CSR key must be an EC P-256 key', {
      rejection: publicKey.rejection,
    });
  }

  const algorithm = request.signatureAlgorithm;
  const hash = HASH_OF_SIGNATURE_ALGORITHM[algorithm.algorithm];
  // RFC 5758 §3.2: ECDSA signature algorithm identifiers carry no parameters.
  if (!hash || algorithm.parameters !== undefined) {
    throw new BadRequestError(
      'csr_signature_algorithm_unsupported',
      'The CSR must be signed with ECDSA and SHA-2',
      {
        algorithm: algorithm.algorithm,
      },
    );
  }
  if (!verifies(hash, request.certificationRequestInfoRaw, publicKey, request.signature)) {
    throw new BadRequestError('csr_signature_invalid', 'The CSR signature does not verify with its own key');
  }
  return { publicKey };
}

function verifies(
  hash: string,
  signed: ArrayBuffer,
  publicKey: P256PublicKey,
  signature: ArrayBuffer,
): boolean {
  try {
    return verify(
      hash,
      new Uint8Array(signed),
      { key: publicKey.key, dsaEncoding: 'der' },
      new Uint8Array(signature),
    );
  } catch {
    return false;
  }
}
