/**
 * The sealed envelope: a verified webhook sealed with HPKE to its agent's X25519 key, bound to agent,
 * source, delivery, receive time and envelope id. The ingress seals, the queue and dispatcher read only
 * the binding, the agent opens.
 */
export { ENVELOPE_VERSION, MAX_BINDING_FIELD_BYTES } from './envelopeFormat.ts';
export {
  generateSealingKeyPair,
  type SealingKeyPair,
  sealingKeyFromBase64url,
  sealingKeyToBase64url,
} from './keys.ts';
export { openEnvelope } from './openEnvelope.ts';
export { readEnvelopeBinding } from './readEnvelopeBinding.ts';
export { type ScheduleTask, type SealingSetup, SenderSetupReserve } from './SenderSetupReserve.ts';
export { sealRequest } from './sealRequest.ts';
export { isHopByHopHeader, toSealedRequest } from './toSealedRequest.ts';
export type { EnvelopeBinding, SealedRequest } from './types.ts';
