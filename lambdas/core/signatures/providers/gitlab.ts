import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { sharedTokenScheme } from '../schemes/sharedToken.ts';
import { standardWebhooksScheme, WEBHOOK_HEADERS } from '../schemes/standardWebhooksScheme.ts';
import type { VerifyInput, VerifyResult } from '../types.ts';

const DEFAULT_TOLERANCE_SECONDS = 300;
const SIGNING_TOKEN_PREFIX = 'whsec_';

const isSigningToken = (secret: string) => secret.startsWith(SIGNING_TOKEN_PREFIX);

const signed = standardWebhooksScheme({
  scheme: 'gitlab-signing',
  headerSets: [WEBHOOK_HEADERS],
  toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
});

const token = sharedTokenScheme({
  scheme: 'gitlab-token',
  header: 'x-gitlab-token',
  single: false,
  isToken: (secret) => !isSigningToken(secret),
});

/**
 * GitLab, by the headers present. With a signing token configured on the hook, GitLab signs the
 * Standard Webhooks way: `webhook-signature: v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.
 * {body}`, keyed with the token's `whsec_<base64>` bytes, 5 minutes either way. A request carrying
 * `webhook-signature` must pass that check and never falls back to the plain token. Otherwise the hook's
 * secret token must arrive verbatim in `X-Gitlab-Token` (constant-time compare; nothing signed, no
 * timestamp). Secrets of the form `whsec_…` are signing tokens, every other secret a secret token.
 * Delivery id: `webhook-id`, else `Idempotency-Key` (both kept across GitLab's retries), else
 * `X-Gitlab-Event-UUID` (older GitLab).
 */
export const gitlab = defineProvider({
  id: 'gitlab',
  displayName: 'GitLab',
  secretKind: 'token',
  toleranceSeconds: DEFAULT_TOLERANCE_SECONDS,
  scheme: verifyGitLab,
  deliveryId: fromHeader('webhook-id', 'idempotency-key', 'x-gitlab-event-uuid'),
});

function verifyGitLab(input: VerifyInput): VerifyResult {
  const { headers } = input.request;
  if (headers[WEBHOOK_HEADERS.signature] !== undefined) return verifySigned(input);
  if (headers['x-gitlab-token'] !== undefined) return token(input);
  return { ok: false, reason: 'missing x-gitlab-token or webhook-signature header' };
}

/** Only signing tokens are offered to the signature check, and the matched index is mapped back. */
function verifySigned(input: VerifyInput): VerifyResult {
  const indices: number[] = [];
  const signingTokens: string[] = [];
  input.source.secrets.forEach((secret, index) => {
    if (isSigningToken(secret)) {
      indices.push(index);
      signingTokens.push(secret);
    }
  });
  if (signingTokens.length === 0) return { ok: false, reason: 'no signing token configured' };
  const result = signed({ ...input, source: { ...input.source, secrets: signingTokens } });
  return result.ok ? { ...result, secretIndex: indices[result.secretIndex]! } : result;
}
