import { Certificate, id_ce_subjectAltName, SubjectAlternativeName } from '@peculiar/asn1-x509';
import { isValidId } from '../ids.ts';
import { rejected } from './AgentCertificateRejectedError.ts';
import { agentUri } from './agentCertificatePolicy.ts';
import { readExtension } from './certificateExtension.ts';
import { soleCommonName } from './commonName.ts';
import { parseDer } from './parseDer.ts';

/**
 * The agent id a certificate names: its subject must be exactly one CN holding a valid agent id, and its
 * only SAN must be the URI `urn:clawpulsar:agent:<that id>`. Anything else fails closed with 401
 * `agent_certificate_rejected`. This reads identity only; trust is verifyAgentCertificate's job.
 *
 * @example
 * const agentId = agentIdFromCertificate(tlsSocket.getPeerCertificate().raw);
 */
export function agentIdFromCertificate(certificate: Uint8Array | Certificate): string {
  const parsed = certificate instanceof Certificate ? certificate : parseDer(certificate, Certificate);
  if (!parsed) throw rejected('malformed');
  const commonName = soleCommonName(parsed.tbsCertificate.subject);
  if (commonName === undefined || !isValidId(commonName)) throw rejected('identity_invalid');
  const san = readExtension(parsed, id_ce_subjectAltName, SubjectAlternativeName);
  if (san.status !== 'present' || san.value.length !== 1) throw rejected('identity_invalid');
  const name = san.value[0]!;
  const uri = name.uniformResourceIdentifier;
  if (uri === undefined || Object.values(name).filter((value) => value !== undefined).length !== 1) {
    throw rejected('identity_invalid');
  }
  if (uri !== agentUri(commonName)) throw rejected('identity_mismatch');
  return commonName;
}
