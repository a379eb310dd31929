import { parseEnvelope } from './envelopeFormat.ts';
import type { EnvelopeBinding } from './types.ts';

/**
 * The binding of an envelope, read from its clear header without a key: for routing and logging by
 * parties that must not decrypt. Unauthenticated until the envelope is opened; throws `EnvelopeError`
 * (`truncated`, `malformed`, `unsupported_version`, `unsupported_suite`) on anything that is not a
 * well-formed envelope.
 *
 * @example
 * const { agentId, envelopeId } = readEnvelopeBinding(message.sealed);
 */
export function readEnvelopeBinding(envelope: Uint8Array): EnvelopeBinding {
  return parseEnvelope(envelope).binding;
}
