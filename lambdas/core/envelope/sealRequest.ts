import { EnvelopeError } from '../errors.ts';
import { ENVELOPE_KEY_SCHEDULE_CONTEXT, encodeEnvelopeHeader } from './envelopeFormat.ts';
import { contextSeal, setupBaseS } from './hpke/hpkeContext.ts';
import { N_PK } from './hpke/hpkeSuite.ts';
import { encodeRequest } from './requestCodec.ts';
import type { SealingSetup, SenderSetupReserve } from './SenderSetupReserve.ts';
import type { EnvelopeBinding, SealedRequest } from './types.ts';

/**
 * Seals a verified webhook to the agent's X25519 public key with HPKE (RFC 9180 base mode,
 * DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / AES-256-GCM). The binding travels in clear and is the
 * associated data, so the envelope opens only for that agent, source, delivery, time and envelope id.
 * Each call uses a fresh ephemeral key: sealing the same request twice gives unrelated bytes. With
 * `setups`, a long-running ingress takes a setup prepared ahead for this recipient (see
 * `SenderSetupReserve`); the envelope is the same either way.
 *
 * Throws `EnvelopeError` `invalid_key` (not 32 bytes, or a low-order point), `invalid_binding` or
 * `invalid_request`.
 *
 * @example
 * const sealed = sealRequest({
 *   recipientPublicKey: source.sealingPublicKey,
 *   binding: { agentId, sourceId, deliveryId, receivedAt: clock.now(), envelopeId },
 *   request: toSealedRequest(request),
 * });
 */
export function sealRequest(args: {
  recipientPublicKey: Uint8Array;
  binding: EnvelopeBinding;
  request: SealedRequest;
  setups?: SenderSetupReserve;
}): Uint8Array {
  const plaintext = encodeRequest(args.request);
  const setup = senderSetup(args.recipientPublicKey, args.setups);
  const header = encodeEnvelopeHeader(args.binding, setup.enc);
  const ciphertext = contextSeal(setup.keys, header, plaintext);
  return Buffer.concat([header, ...ciphertext]);
}

function senderSetup(recipientPublicKey: Uint8Array, setups: SenderSetupReserve | undefined): SealingSetup {
  if (!(recipientPublicKey instanceof Uint8Array) || recipientPublicKey.byteLength !== N_PK) {
    throw new EnvelopeError('invalid_key', `The recipient public key must be ${N_PK} raw bytes`);
  }
  try {
    return setups
      ? setups.take(recipientPublicKey)
      : setupBaseS(recipientPublicKey, ENVELOPE_KEY_SCHEDULE_CONTEXT);
  } catch (cause) {
    throw new EnvelopeError(
      'invalid_key',
      'The recipient public key is not a usable X25519 key',
      {},
      { cause },
    );
  }
}
