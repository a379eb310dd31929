/** A header read for verification: its value, or why it can't be used. */
export type HeaderRead = { readonly value: string; readonly name: string } | { readonly reason: string };

/**
 * Reads the first present of `names` (lower-case). `single` headers never legitimately contain a comma
 * (ids, timestamps, one MAC): a comma there means the header was sent twice and joined, which is refused
 * rather than guessed at.
 *
 * @example
 * readHeader(request.headers, ['x-hub-signature-256'], true);
 */
export function readHeader(
  headers: Readonly<Record<string, string>>,
  names: readonly string[],
  single: boolean,
): HeaderRead {
  for (const name of names) {
    const value = headers[name];
    if (value === undefined) continue;
    if (single && value.includes(',')) return { reason: `duplicated ${name} header` };
    const trimmed = value.trim();
    if (trimmed === '') return { reason: `empty ${name} header` };
    return { value: trimmed, name };
  }
  return { reason: `missing ${names[0]} header` };
}
