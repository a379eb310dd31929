/** A header read for verification: its trimmed value, or a short reason it can't be used. */
export type HeaderRead =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads a header that must appear exactly once. The request joins repeated headers with ', ', and none of
 * the values read here (base64, hex, digits, Telegram tokens) can contain a comma, so a comma means the
 * header was sent twice: ambiguous, so rejected rather than guessed at.
 *
 * @param label The header's usual spelling, used in the reason; looked up lower-cased.
 * @example
 * singleHeader({ 'x-signature-ed25519': 'ab12' }, 'X-Signature-Ed25519'); // { ok: true, value: 'ab12' }
 */
export function singleHeader(headers: Readonly<Record<string, string>>, label: string): HeaderRead {
  const raw = headerValue(headers, label.toLowerCase());
  const value = raw?.trim();
  if (!value) return { ok: false, reason: `missing ${label} header` };
  if (value.includes(',')) return { ok: false, reason: `duplicate ${label} header` };
  return { ok: true, value };
}

/** A header's raw value, own properties only, so a hostile name can never reach Object.prototype. */
export function headerValue(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  if (!Object.hasOwn(headers, name)) return undefined;
  const value: unknown = headers[name];
  return typeof value === 'string' ? value : undefined;
}
