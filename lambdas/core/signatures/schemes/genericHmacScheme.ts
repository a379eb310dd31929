import type { GenericHmacDefinition, SchemeVerifier } from '../types.ts';
import { hmacHeaderScheme } from './hmacHeaderScheme.ts';
import { timestampedHmacScheme } from './timestampedHmacScheme.ts';

/** Tolerance for a generic definition's timestamp header when the source sets none. */
export const GENERIC_TOLERANCE_SECONDS = 300;

/**
 * Builds the verifier of a generic HMAC definition: the signature in `header`, over `template`
 * (default the raw body), bounded in time by `timestampHeader` when there is one. Throws when the
 * template is invalid, so a bad definition is refused when it is validated, not per request.
 *
 * @example
 * genericHmacScheme({ header: 'x-signature', algorithm: 'sha256', encoding: 'hex' });
 */
export function genericHmacScheme(definition: GenericHmacDefinition): SchemeVerifier {
  const header = definition.header.toLowerCase();
  const template = definition.template ?? '{body}';
  if (definition.timestampHeader === undefined) {
    return hmacHeaderScheme({
      scheme: 'generic-hmac',
      headers: [header],
      algorithm: definition.algorithm,
      encoding: definition.encoding,
      prefix: definition.prefix,
      content: template,
    });
  }
  return timestampedHmacScheme({
    scheme: 'generic-hmac',
    signatureHeader: header,
    layout: {
      kind: 'split',
      timestampHeader: definition.timestampHeader.toLowerCase(),
      prefix: definition.prefix ?? '',
    },
    content: template,
    algorithm: definition.algorithm,
    encoding: definition.encoding,
    toleranceSeconds: GENERIC_TOLERANCE_SECONDS,
  });
}
