import { verify } from 'node:crypto';
import { id_ecdsaWithSHA256 } from '@peculiar/asn1-ecc';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  type AlgorithmIdentifier,
  BasicConstraints,
  type Certificate,
  ExtendedKeyUsage,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_kp_clientAuth,
  KeyUsage,
  KeyUsageFlags,
  Version,
} from '@peculiar/asn1-x509';
import { ClawPulsarError } from '../errors.ts';
import { rejected } from './AgentCertificateRejectedError.ts';
import { AGENT_CERTIFICATE_MAX_LIFETIME_MS, CLOCK_SKEW_ALLOWANCE_MS } from './agentCertificatePolicy.ts';
import { agentIdFromCertificate } from './agentIdFromCertificate.ts';
import { assertTime } from './assertTime.ts';
import { readExtension } from './certificateExtension.ts';
import { importP256PublicKey, type P256PublicKey } from './importP256PublicKey.ts';
import { type ParsedCertificate, parseCertificate } from './parseCertificate.ts';

export interface VerifyAgentCertificateInput {
  /** The peer's certificate, DER (e.g. `tlsSocket.getPeerCertificate().raw`) or PEM. */
  readonly certificate: string | Uint8Array;
  /** The issuing CA's certificate, PEM or DER. */
  readonly caCertificate: string | Uint8Array;
  /** Milliseconds since the epoch. */
  readonly now: number;
}

/** An agent certificate that passed every check. */
export interface VerifiedAgentCertificate {
  readonly agentId: string;
  /** Lower-case hex, as issueAgentCertificate returns it; what revocation lists hold. */
  readonly serialNumber: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

// A critical extension we do not read must fail the check (RFC 5280 §4.2); these are the ones we read.
const UNDERSTOOD_CRITICAL = new Set([id_ce_basicConstraints, id_ce_keyUsage, id_ce_subjectAltName]);

/**
 * Decides whether a TLS peer certificate is a live agent certificate from our CA and returns the agent
 * it names. Fails closed with 401 `agent_certificate_rejected` (reason in data) on: a malformed or
 * foreign certificate, a bad signature, outside its validity or the CA's, a validity period longer than
 * 24 h (invariant 5, even if it were somehow signed), not a client certificate, an unknown critical
 * extension, a key that is not P-256, or CN and URI SAN that disagree. Revocation is checked by the
 * caller against its registry, by serial number.
 *
 * @example
 * const { agentId } = verifyAgentCertificate({ certificate: peer.raw, caCertificate, now: clock.now() });
 */
export function verifyAgentCertificate(input: VerifyAgentCertificateInput): VerifiedAgentCertificate {
  const { now } = input;
  assertTime(now);
  const ca = caOf(input.caCertificate);
  let parsed: ParsedCertificate;
  try {
    parsed = parseCertificate(input.certificate);
  } catch {
    throw rejected('malformed');
  }
  const { certificate } = parsed;
  const tbs = certificate.tbsCertificate;

  if (
    tbs.version !== Version.v3 ||
    !isEcdsaSha256(certificate.signatureAlgorithm) ||
    !isEcdsaSha256(tbs.signature)
  ) {
    throw rejected('malformed');
  }
  if (!ca.subjectDer.equals(Buffer.from(AsnConvert.serialize(tbs.issuer)))) throw rejected('foreign_issuer');
  if (!signatureVerifies(certificate, ca.key)) throw rejected('bad_signature');

  const notBefore = tbs.validity.notBefore.getTime().getTime();
  const notAfter = tbs.validity.notAfter.getTime().getTime();
  if (now < notBefore) throw rejected('not_yet_valid');
  if (now > notAfter) throw rejected('expired');
  if (notAfter - notBefore > AGENT_CERTIFICATE_MAX_LIFETIME_MS + CLOCK_SKEW_ALLOWANCE_MS) {
    throw rejected('lifetime_exceeds_policy');
  }
  const caValidity = ca.certificate.tbsCertificate.validity;
  if (now < caValidity.notBefore.getTime().getTime() || now > caValidity.notAfter.getTime().getTime()) {
    throw rejected('ca_not_valid');
  }

  for (const extension of tbs.extensions ?? []) {
    if (extension.critical && !UNDERSTOOD_CRITICAL.has(extension.extnID))
      throw rejected('unknown_critical_extension');
  }
  if (!isClientCertificate(certificate)) throw rejected('not_client_certificate');
  if ('rejection' in importP256PublicKey(tbs.subjectPublicKeyInfo)) throw rejected('key_unsupported');

  return {
    agentId: agentIdFromCertificate(certificate),
    serialNumber: Buffer.from(tbs.serialNumber).toString('hex'),
    notBefore,
    notAfter,
  };
}

interface TrustedCa {
  readonly certificate: Certificate;
  readonly key: P256PublicKey;
  readonly subjectDer: Buffer;
}

// The broker checks every connection against the same CA: keep the last one parsed (a copy of its input
// is compared, so a caller reusing and changing a buffer can't get a stale CA).
let lastCa: { readonly input: string | Buffer; readonly ca: TrustedCa } | undefined;

function caOf(input: string | Uint8Array): TrustedCa {
  if (lastCa && sameInput(lastCa.input, input)) return lastCa.ca;
  const { certificate } = parseCertificate(input);
  const key = importP256PublicKey(certificate.tbsCertificate.subjectPublicKeyInfo);
  if ('rejection' in key) {
    throw new ClawPulsarError('ca_key_unsupported', 'The CA certificate key is not an EC P-256 key', 500);
  }
  const ca = {
    certificate,
    key,
    subjectDer: Buffer.from(AsnConvert.serialize(certificate.tbsCertificate.subject)),
  };
  lastCa = { input: typeof input === 'string' ? input : Buffer.from(input), ca };
  return ca;
}

function sameInput(cached: string | Buffer, input: string | Uint8Array): boolean {
  if (typeof cached === 'string' || typeof input === 'string') return cached === input;
  return cached.equals(input);
}

function isEcdsaSha256(algorithm: AlgorithmIdentifier): boolean {
  return algorithm.algorithm === id_ecdsaWithSHA256 && algorithm.parameters === undefined;
}

function signatureVerifies(certificate: Certificate, caKey: P256PublicKey): boolean {
  try {
    return verify(
      'sha256',
      new Uint8Array(certificate.tbsCertificateRaw!),
      { key: caKey.key, dsaEncoding: 'der' },
      new Uint8Array(certificate.signatureValue),
    );
  } catch {
    return false;
  }
}

function isClientCertificate(certificate: Certificate): boolean {
  const basic = readExtension(certificate, id_ce_basicConstraints, BasicConstraints);
  if (basic.status !== 'present' || basic.value.cA) return false;
  const usage = readExtension(certificate, id_ce_keyUsage, KeyUsage);
  if (usage.status !== 'present' || (usage.value.toNumber() & KeyUsageFlags.digitalSignature) === 0)
    return false;
  const extended = readExtension(certificate, id_ce_extKeyUsage, ExtendedKeyUsage);
  return extended.status === 'present' && extended.value.includes(id_kp_clientAuth);
}
