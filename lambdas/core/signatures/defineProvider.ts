import type {
  HandshakeResponse,
  ProviderId,
  SchemeVerifier,
  VerifyInput,
  VerifyResult,
  WebhookProvider,
} from './types.ts';

/** Where a provider's delivery id comes from, read only after the signature verified. */
export type DeliveryIdSource = (input: VerifyInput) => string | undefined;

export interface ProviderDefinition {
  readonly id: ProviderId;
  readonly displayName: string;
  readonly secretKind: WebhookProvider['secretKind'];
  readonly toleranceSeconds?: number;
  readonly scheme: SchemeVerifier;
  readonly deliveryId?: DeliveryIdSource;
  /** Extra checks on an authentic request (e.g. Linear's signed body timestamp); returns a reason to refuse. */
  readonly afterVerify?: (input: VerifyInput) => string | undefined;
  readonly handshake?: (input: VerifyInput, verified: VerifyResult) => HandshakeResponse | undefined;
}

/** The longest delivery id kept; anything longer is not an id a provider sends, so it is not trusted as one. */
const MAX_DELIVERY_ID_LENGTH = 256;

/**
 * Builds a provider from a scheme: verifies, then (only on success) reads the delivery id, so nothing
 * in an unverified body is ever parsed.
 *
 * @example
 * export const github = defineProvider({ id: 'github', displayName: 'GitHub', secretKind: 'shared-secret',
 *   scheme: hmacHeaderScheme({ ... }), deliveryId: fromHeader('x-github-delivery') });
 */
export function defineProvider(definition: ProviderDefinition): WebhookProvider {
  const { scheme, deliveryId, afterVerify } = definition;
  const provider: WebhookProvider = {
    id: definition.id,
    displayName: definition.displayName,
    secretKind: definition.secretKind,
    toleranceSeconds: definition.toleranceSeconds,
    verify(input) {
      const result = scheme(input);
      if (!result.ok) return result;
      const refused = afterVerify?.(input);
      if (refused !== undefined) return { ok: false, reason: refused };
      const id = deliveryId?.(input);
      if (id === undefined || id === '' || id.length > MAX_DELIVERY_ID_LENGTH) return result;
      return { ok: true, scheme: result.scheme, secretIndex: result.secretIndex, deliveryId: id };
    },
  };
  return definition.handshake ? { ...provider, handshake: definition.handshake } : provider;
}
