import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { BadRequestError } from '../errors.ts';
import { CLOCK_SKEW_ALLOWANCE_MS } from './agentCertificatePolicy.ts';
import { assertTime } from './assertTime.ts';
import type { CertificateSigner } from './CertificateSigner.ts';
import { certificateExtension } from './certificateExtension.ts';
import { commonNameOnly } from './commonName.ts';
import { keyIdentifier } from './keyIdentifier.ts';
import { type IssuedCertificate, signCertificate, signerPublicKey } from './signCertificate.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A CA that outlives its agents' certificates by at least a day, and lives at most 20 years. */
export const CA_MIN_LIFETIME_MS = 2 * DAY_MS;
export const CA_MAX_LIFETIME_MS = 20 * 365 * DAY_MS;

// X.520 ub-common-name.
const MAX_COMMON_NAME_LENGTH = 64;
const PRINTABLE = /^[\x20-\x7e]+$/;

export interface CreateCaCertificateInput {
  readonly signer: CertificateSigner;
  readonly commonName: string;
  /** Milliseconds since the epoch. */
  readonly now: number;
  readonly lifetimeMs: number;
}

/**
 * Creates the self-signed issuing CA certificate for `signer`'s key: CA:true with pathLen 0 (it issues
 * agent certificates only, never another CA), keyCertSign and cRLSign, key identifiers. In AWS this
 * runs at deploy time through the KMS signer; locally at first start.
 *
 * Errors (400): `ca_common_name_invalid`, `ca_lifetime_invalid`.
 *
 * @example
 * const ca = await createCaCertificate({ signer, commonName: 'ClawPulsar agent CA', now: Date.now(), lifetimeMs: 10 * 365 * 86_400_000 });
 */
export async function createCaCertificate(input: CreateCaCertificateInput): Promise<IssuedCertificate> {
  const { signer, commonName, now, lifetimeMs } = input;
  if (commonName.length > MAX_COMMON_NAME_LENGTH || !PRINTABLE.test(commonName)) {
    throw new BadRequestError(
      'ca_common_name_invalid',
      'CA common name must be 1-64 printable ASCII characters',
    );
  }
  if (
    !Number.isSafeInteger(lifetimeMs) ||
    lifetimeMs < CA_MIN_LIFETIME_MS ||
    lifetimeMs > CA_MAX_LIFETIME_MS
  ) {
    throw new BadRequestError('ca_lifetime_invalid', 'CA lifetime must be between 2 days and 20 years', {
      lifetimeMs,
    });
  }
  assertTime(now);
  const key = signerPublicKey(signer);
  const keyId = keyIdentifier(key.info);
  const name = commonNameOnly(commonName);
  return signCertificate(
    {
      issuer: name,
      subject: name,
      notBefore: now - CLOCK_SKEW_ALLOWANCE_MS,
      notAfter: now + lifetimeMs,
      subjectPublicKeyInfo: key.info,
      extensions: [
        certificateExtension(
          id_ce_basicConstraints,
          true,
          new BasicConstraints({ cA: true, pathLenConstraint: 0 }),
        ),
        certificateExtension(
          id_ce_keyUsage,
          true,
          new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign),
        ),
        certificateExtension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId)),
        certificateExtension(
          id_ce_authorityKeyIdentifier,
          false,
          new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) }),
        ),
      ],
    },
    signer,
  );
}
