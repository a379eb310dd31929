const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a body as a JSON object, or returns undefined (not JSON, not an object, invalid UTF-8).
 * Call only after the signature verified: nothing is parsed before verification.
 *
 * @example
 * parseJsonObject(new TextEncoder().encode('{"id":"evt_1"}')); // { id: 'evt_1' }
 */
export function parseJsonObject(body: Uint8Array): Record<string, unknown> | undefined {
  let i = 0;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09))
    i++;
  if (body[i] !== 0x7b) return undefined;
  try {
    const value: unknown = JSON.parse(decoder.decode(body));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
