/**
 * Signs an outgoing webhook the Standard Webhooks way (standardwebhooks.com): HMAC-SHA256 keyed with the
 * base64-decoded secret (after `whsec_`), over `{webhook-id}.{webhook-timestamp}.{body}`, sent as
 * `webhook-signature: v1,<base64>`. Receivers verify with any Standard Webhooks library.
 */
import { createHmac } from 'node:crypto';
import { BadRequestError } from '../errors.ts';

export interface StandardWebhookHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * The three Standard Webhooks headers for `body`.
 *
 * @example
 * signStandardWebhook('whsec_…', 'msg_2b8…', Math.floor(Date.now() / 1000), body);
 */
export function signStandardWebhook(
  secret: string,
  messageId: string,
  timestampSeconds: number,
  body: string,
): StandardWebhookHeaders {
  if (!secret.startsWith('whsec_')) {
    throw new BadRequestError('invalid_webhook_secret', 'A Standard Webhooks secret starts with whsec_');
  }
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  if (key.byteLength < 24) {
    throw new BadRequestError('invalid_webhook_secret', 'A Standard Webhooks secret holds 24 bytes or more');
  }
  const timestamp = String(Math.floor(timestampSeconds));
  const signature = createHmac('sha256', key)
    .update(`${messageId}.${timestamp}.`, 'utf8')
    .update(body, 'utf8')
    .digest('base64');
  key.fill(0);
  return { 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
