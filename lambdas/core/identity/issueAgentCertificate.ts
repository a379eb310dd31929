import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  GeneralName,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_clientAuth,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { BadRequestError, ClawPulsarError } from '../errors.ts';
import { isValidId } from '../ids.ts';
import {
  AGENT_CERTIFICATE_MAX_LIFETIME_MS,
  AGENT_CERTIFICATE_MIN_LIFETIME_MS,
  agentUri,
  CLOCK_SKEW_ALLOWANCE_MS,
} from './agentCertificatePolicy.ts';
import { assertTime } from './assertTime.ts';
import type { CertificateSigner } from './CertificateSigner.ts';
import { certificateExtension, readExtension } from './certificateExtension.ts';
import { commonNameOnly } from './commonName.ts';
import { importP256PublicKey } from './importP256PublicKey.ts';
import { keyIdentifier } from './keyIdentifier.ts';
import { parseCertificate } from './parseCertificate.ts';
import { parseCertificateRequest } from './parseCertificateRequest.ts';
import { type IssuedCertificate, signCertificate, signerPublicKey } from './signCertificate.ts';

export interface IssueAgentCertificateInput {
  /** The agent's PKCS#10 request, PEM or DER. Only its key is used. */
  readonly csr: string | Uint8Array;
  /** From the registration (or the authenticated connection on rotation), never from the CSR. */
  readonly agentId: string;
  readonly signer: CertificateSigner;
  /** The issuing CA's certificate (PEM or DER); its key must be the signer's. */
  readonly caCertificate: string | Uint8Array;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** Defaults to, and may not exceed, 24 h. */
  readonly lifetimeMs?: number;
}

/**
 * Issues a 24-hour TLS client certificate for an agent: subject CN = agent id, URI SAN
 * `urn:clawpulsar:agent:<id>`, CA:false, digitalSignature, clientAuth, key ids, signed by the CA through
 * the signer port. notBefore is back-dated 5 minutes for clock skew; notAfter is at most 24 h after
 * `now` and never after the CA's own expiry (invariant 5).
 *
 * Errors: 400 `agent_id_invalid`, `certificate_lifetime_invalid`, any CSR error (see
 * parseCertificateRequest); 500 `ca_signer_mismatch`, `ca_certificate_not_valid`, `signer_*`.
 *
 * @example
 * const issued = await issueAgentCertificate({ csr, agentId: 'laptop-1', signer, caCertificate, now: clock.now() });
 */
export async function issueAgentCertificate(input: IssueAgentCertificateInput): Promise<IssuedCertificate> {
  const { agentId, signer, now } = input;
  const lifetimeMs = input.lifetimeMs ?? AGENT_CERTIFICATE_MAX_LIFETIME_MS;
  if (!isValidId(agentId)) {
    throw new BadRequestError(
      'agent_id_invalid',
      'Agent id must be 3-63 lower-case letters, digits or dashes',
    );
  }
  if (
    !Number.isSafeInteger(lifetimeMs) ||
    lifetimeMs < AGENT_CERTIFICATE_MIN_LIFETIME_MS ||
    lifetimeMs > AGENT_CERTIFICATE_MAX_LIFETIME_MS
  ) {
    throw new BadRequestError(
      'certificate_lifetime_invalid',
      'Agent certificates live between 1 minute and 24 hours',
      {
        lifetimeMs,
        maxLifetimeMs: AGENT_CERTIFICATE_MAX_LIFETIME_MS,
      },
    );
  }
  assertTime(now);
  const { publicKey } = parseCertificateRequest(input.csr);

  const ca = parseCertificate(input.caCertificate).certificate;
  const caKey = importP256PublicKey(ca.tbsCertificate.subjectPublicKeyInfo);
  if ('rejection' in caKey || !caKey.key.equals(signerPublicKey(signer).key)) {
    throw new ClawPulsarError(
      'ca_signer_mismatch',
      'The CA certificate does not belong to the signing key',
      500,
    );
  }
  const caNotBefore = ca.tbsCertificate.validity.notBefore.getTime().getTime();
  const caNotAfter = ca.tbsCertificate.validity.notAfter.getTime().getTime();
  if (now < caNotBefore || now >= caNotAfter) {
    throw new ClawPulsarError(
      'ca_certificate_not_valid',
      'The CA certificate is expired or not yet valid',
      500,
      {
        caNotBefore,
        caNotAfter,
      },
    );
  }
  const caSki = readExtension(ca, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier);
  const authorityKeyId =
    caSki.status === 'present' ? new Uint8Array(caSki.value.buffer) : keyIdentifier(caKey.info);

  return signCertificate(
    {
      issuer: ca.tbsCertificate.subject,
      subject: commonNameOnly(agentId),
      notBefore: now - CLOCK_SKEW_ALLOWANCE_MS,
      notAfter: Math.min(now + lifetimeMs, caNotAfter),
      subjectPublicKeyInfo: publicKey.info,
      extensions: [
        certificateExtension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
        certificateExtension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
        certificateExtension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_clientAuth])),
        certificateExtension(
          id_ce_subjectAltName,
          false,
          new SubjectAlternativeName([new GeneralName({ uniformResourceIdentifier: agentUri(agentId) })]),
        ),
        certificateExtension(
          id_ce_subjectKeyIdentifier,
          false,
          new SubjectKeyIdentifier(keyIdentifier(publicKey.info)),
        ),
        certificateExtension(
          id_ce_authorityKeyIdentifier,
          false,
          new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(authorityKeyId) }),
        ),
      ],
    },
    signer,
  );
}
