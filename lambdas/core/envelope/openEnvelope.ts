import { EnvelopeError } from '../errors.ts';
import { ENVELOPE_KEY_SCHEDULE_CONTEXT, parseEnvelope } from './envelopeFormat.ts';
import { contextOpen, setupBaseR } from './hpke/hpkeContext.ts';
import { N_SK } from './hpke/hpkeSuite.ts';
import { decodeRequest } from './requestCodec.ts';
import type { EnvelopeBinding, SealedRequest } from './types.ts';

/**
 * Opens an envelope with the agent's X25519 private key, after checking it is addressed to
 * `expectedAgentId`. Returns the authenticated binding and the original request; the body is a view of
 * the decrypted bytes.
 *
 * Throws `EnvelopeError`: `truncated`, `malformed`, `unsupported_version`, `unsupported_suite` (not an
 * envelope this version reads), `wrong_agent` (addressed to another agent), `invalid_key` (not 32 bytes),
 * `decrypt_failed` (another recipient's key, or any byte changed).
 *
 * @example
 * const { binding, request } = openEnvelope({ recipientPrivateKey, envelope, expectedAgentId: 'laptop' });
 */
export function openEnvelope(args: {
  recipientPrivateKey: Uint8Array;
  envelope: Uint8Array;
  expectedAgentId: string;
}): { binding: EnvelopeBinding; request: SealedRequest } {
  const parsed = parseEnvelope(args.envelope);
  if (parsed.binding.agentId !== args.expectedAgentId) {
    throw new EnvelopeError('wrong_agent', 'The envelope is addressed to another agent', {
      agentId: parsed.binding.agentId,
      expectedAgentId: args.expectedAgentId,
      envelopeId: parsed.binding.envelopeId,
    });
  }
  if (!(args.recipientPrivateKey instanceof Uint8Array) || args.recipientPrivateKey.byteLength !== N_SK) {
    throw new EnvelopeError('invalid_key', `The recipient private key must be ${N_SK} raw bytes`);
  }
  let plaintext: Buffer;
  try {
    const keys = setupBaseR(parsed.enc, args.recipientPrivateKey, ENVELOPE_KEY_SCHEDULE_CONTEXT);
    plaintext = contextOpen(keys, parsed.header, parsed.ciphertext);
  } catch (cause) {
    throw new EnvelopeError(
      'decrypt_failed',
      'The envelope does not open with this key: sealed to another key, or altered',
      { envelopeId: parsed.binding.envelopeId },
      { cause },
    );
  }
  return { binding: parsed.binding, request: decodeRequest(plaintext) };
}
