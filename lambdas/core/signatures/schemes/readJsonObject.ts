/**
 * Largest body the verifiers parse to read a field (a delivery id, Mailgun's in-body signature). Every
 * provider that needs it sends small events; anything bigger is not parsed at all, so a hostile body
 * can't make verification expensive.
 */
export const MAX_PARSED_BODY_BYTES = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a body as a JSON object, or returns undefined when it is too big, not UTF-8, not JSON, or not an
 * object. Callers validate the fields they read with zod.
 *
 * @example
 * readJsonObject(new TextEncoder().encode('{"update_id":1}')); // { update_id: 1 }
 */
export function readJsonObject(
  body: Uint8Array,
  maxBytes = MAX_PARSED_BODY_BYTES,
): Readonly<Record<string, unknown>> | undefined {
  if (body.byteLength === 0 || body.byteLength > maxBytes) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}
