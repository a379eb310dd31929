import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { genericHmacScheme } from '../schemes/genericHmacScheme.ts';
import type { GenericHmacDefinition, SchemeVerifier } from '../types.ts';

// Definitions are compiled once per definition object, not per request.
const compiled = new WeakMap<GenericHmacDefinition, SchemeVerifier | string>();

function verifierFor(definition: GenericHmacDefinition): SchemeVerifier | string {
  let verifier = compiled.get(definition);
  if (verifier === undefined) {
    try {
      verifier = genericHmacScheme(definition);
    } catch (error) {
      verifier = `invalid generic definition: ${error instanceof Error ? error.message : String(error)}`;
    }
    compiled.set(definition, verifier);
  }
  return verifier;
}

/**
 * Any provider not in the list, described by the source's `GenericHmacDefinition`: which header, which
 * algorithm and encoding, what is signed, and optionally a timestamp header and a delivery id header.
 */
export const generic = defineProvider({
  id: 'generic',
  displayName: 'Generic HMAC',
  secretKind: 'shared-secret',
  scheme(input) {
    const definition = input.source.generic;
    if (definition === undefined) return { ok: false, reason: 'source has no generic definition' };
    const verifier = verifierFor(definition);
    return typeof verifier === 'string' ? { ok: false, reason: verifier } : verifier(input);
  },
  deliveryId(input) {
    const header = input.source.generic?.deliveryIdHeader;
    return header === undefined ? undefined : fromHeader(header.toLowerCase())(input);
  },
});
