/**
 * Value-level redaction of credentials whose shape is known, whatever field (or free text) they sit in.
 * The field-name redaction of `createJsonLogger` is the first line of defence; this one catches a secret
 * that arrives under an innocent name, inside an error message or in a nested object.
 *
 * Every pattern stops before `"` and before an escaped quote, so applied to a JSON line it never cuts through an escape or a
 * string boundary: the line stays valid JSON.
 */
const SECRET_SHAPES = new RegExp(
  [
    // Distinctive prefixes are matched even when glued to other text. ClawPulsar's own: registration
    // tokens, the management token, dashboard login codes.
    '(cpreg|cpm|cpdash)_[A-Za-z0-9_-]{8,}',
    // Webhook signing secrets (Stripe, Svix, Standard Webhooks).
    '(whsec)_[A-Za-z0-9+/=_-]{8,}',
    // Stripe API keys.
    '([sr]k_(?:live|test))_[A-Za-z0-9]{8,}',
    // GitHub and Slack tokens.
    '(gh[pousr]|github_pat)_[A-Za-z0-9_]{16,}',
    '(xox[abprs])-[A-Za-z0-9-]{8,}',
    // AWS access key ids.
    '(AKIA|ASIA)[0-9A-Z]{16}(?![0-9A-Z])',
    // OpenAI, Anthropic, OpenRouter, DeepSeek and other `sk-` keys: at a word start, so that words such
    // as "task-…" stay readable.
    String.raw`\b(sk)-[A-Za-z0-9_-]{16,}`,
    // HTTP credentials in a header value or a message.
    String.raw`\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}`,
    // PEM private keys, whole or cut short.
    String.raw`(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----)(?:[^"\\-]|\\[^"]|-(?!----END))*(?:-----END [A-Z0-9 ]*PRIVATE KEY-----)?`,
  ].join('|'),
  'g',
);

/**
 * The prefixes every shape above starts with: lines without any (nearly all) skip the full pattern, so
 * redaction costs a fraction of a microsecond on the hot path.
 */
const TRIGGERS =
  /cpreg_|cpm_|cpdash_|whsec_|[sr]k_(?:live|test)_|sk-|gh[pousr]_|github_pat_|xox[abprs]-|AKIA|ASIA|Bearer|Basic|PRIVATE KEY/;

/**
 * Replaces every credential of a known shape in `text` by its kind and `[redacted]`, e.g.
 * `Bearer [redacted]`, `cpreg_[redacted]`, `sk-[redacted]`.
 *
 * @example
 * redactSecretValues('{"note":"token cpreg_abcdefghijkl"}'); // '{"note":"token cpreg_[redacted]"}'
 */
export function redactSecretValues(text: string): string {
  if (!TRIGGERS.test(text)) return text;
  return text.replace(SECRET_SHAPES, (match: string, ...groups: unknown[]) => {
    const kind = groups.slice(0, 10).find((g): g is string => typeof g === 'string');
    if (kind === undefined) return '[redacted]';
    if (kind.startsWith('-----BEGIN')) return '[redacted private key]';
    if (kind === 'Bearer' || kind === 'Basic') return `${kind} [redacted]`;
    if (kind === 'AKIA' || kind === 'ASIA') return `${kind}[redacted]`;
    const separator = match.charAt(kind.length);
    return `${kind}${separator}[redacted]`;
  });
}

/**
 * Wraps a line writer so that every line is passed through `redactSecretValues` first.
 *
 * @example
 * const logger = createJsonLogger(redactingWriter((line) => process.stderr.write(line)));
 */
export function redactingWriter(write: (line: string) => void): (line: string) => void {
  return (line) => write(redactSecretValues(line));
}
