/**
 * Outgoing alert webhooks at rest. The target URL is encrypted along with the signing secret because a
 * chat webhook URL (Slack, Discord) is itself the credential; only its host is kept in clear for display.
 */
import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { BadRequestError } from '../errors.ts';
import type { AlertWebhookFormat, StoredAlertWebhook } from '../monitor/ports.ts';
import type { KeyCustody } from '../ports.ts';
import { fingerprintSecret } from '../sources/sourceSecrets.ts';

export const ALERT_WEBHOOK_PURPOSE = 'alert-webhook';

const targetSchema = z.object({ url: z.string(), secret: z.string().optional() });
export type AlertWebhookTarget = z.infer<typeof targetSchema>;

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * Checks an alert webhook URL: https, or plain http to a loopback host (a local receiver); no
 * credentials, no fragment.
 *
 * @example
 * assertAlertWebhookUrl('https://hooks.slack.com/services/T000/B000/XXXX');
 */
export function assertAlertWebhookUrl(text: string): URL {
  const fail = (reason: string) =>
    new BadRequestError('invalid_webhook_url', `Invalid alert webhook URL: ${reason}`, { reason });
  const url = URL.parse(text);
  if (!url || text.length > 2048) throw fail('not a URL');
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && LOOPBACK.test(url.host.replace(/:\d+$/, '')))
  ) {
    throw fail('use https (plain http only to this machine)');
  }
  if (url.username || url.password) throw fail('credentials in the URL are not allowed');
  if (url.hash || text.includes('#')) throw fail('a fragment is not allowed');
  return url;
}

/** A new Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function context(budgetId: string, webhookId: string): Record<string, string> {
  return { purpose: ALERT_WEBHOOK_PURPOSE, budgetId, webhookId };
}

/**
 * Encrypts a webhook's URL (and its secret, for the `standard` format) for storage under its budget.
 * Returns the stored form and, for `standard`, the new secret to show the user once.
 */
export async function sealAlertWebhook(
  custody: KeyCustody,
  budgetId: string,
  input: { readonly id: string; readonly url: string; readonly format: AlertWebhookFormat },
): Promise<{ stored: StoredAlertWebhook; secret?: string }> {
  const url = assertAlertWebhookUrl(input.url);
  const secret = input.format === 'standard' ? newWebhookSecret() : undefined;
  const plaintext = Buffer.from(JSON.stringify({ url: input.url, ...(secret ? { secret } : {}) }), 'utf8');
  let ciphertext: Uint8Array;
  try {
    ciphertext = await custody.encrypt(plaintext, context(budgetId, input.id));
  } finally {
    plaintext.fill(0);
  }
  return {
    stored: {
      id: input.id,
      format: input.format,
      host: url.host,
      ciphertext,
      ...(secret ? { secretFingerprint: fingerprintSecret(secret) } : {}),
    },
    ...(secret ? { secret } : {}),
  };
}

/** Opens a stored webhook for one send. */
export async function openAlertWebhook(
  custody: KeyCustody,
  budgetId: string,
  webhook: StoredAlertWebhook,
): Promise<AlertWebhookTarget> {
  const plaintext = await custody.decrypt(webhook.ciphertext, context(budgetId, webhook.id));
  try {
    return targetSchema.parse(JSON.parse(Buffer.from(plaintext).toString('utf8')));
  } finally {
    plaintext.fill(0);
  }
}
