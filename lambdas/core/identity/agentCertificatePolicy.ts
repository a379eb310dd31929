/**
 * The rules every agent certificate follows (ARCHITECTURE §3.3, invariant 5), shared by issuance and by
 * the broker's check so the two can't drift apart.
 */

/** Hard cap on an agent certificate's life, counted from the moment of issuance. */
export const AGENT_CERTIFICATE_MAX_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** Shortest life we issue: anything shorter could expire before the agent finishes reconnecting. */
export const AGENT_CERTIFICATE_MIN_LIFETIME_MS = 60 * 1000;

/** notBefore is back-dated by this much so an agent whose clock runs a little behind can connect. */
export const CLOCK_SKEW_ALLOWANCE_MS = 5 * 60 * 1000;

/** The URI SAN that names an agent; the broker requires it to equal the subject CN. */
export const AGENT_URI_PREFIX = 'urn:clawpulsar:agent:';

/** The URI SAN value for `agentId`. */
export function agentUri(agentId: string): string {
  return `${AGENT_URI_PREFIX}${agentId}`;
}
