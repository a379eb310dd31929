import { UnauthorizedError } from '../errors.ts';

/** Why an agent certificate was refused. Carried in the error's data; the certificate itself never is. */
export type AgentCertificateRejection =
  | 'malformed'
  | 'identity_invalid'
  | 'identity_mismatch'
  | 'foreign_issuer'
  | 'bad_signature'
  | 'not_yet_valid'
  | 'expired'
  | 'lifetime_exceeds_policy'
  | 'ca_not_valid'
  | 'not_client_certificate'
  | 'unknown_critical_extension'
  | 'key_unsupported';

/** The one error an agent certificate check throws: 401 `agent_certificate_rejected`, reason in data. */
export class AgentCertificateRejectedError extends UnauthorizedError {
  override name = 'AgentCertificateRejectedError';
  readonly reason: AgentCertificateRejection;
  constructor(reason: AgentCertificateRejection) {
    super('agent_certificate_rejected', `Agent certificate rejected: ${reason}`, { reason });
    this.reason = reason;
  }
}

/** Shorthand for `new AgentCertificateRejectedError(reason)`, for `throw rejected('expired')`. */
export function rejected(reason: AgentCertificateRejection): AgentCertificateRejectedError {
  return new AgentCertificateRejectedError(reason);
}
