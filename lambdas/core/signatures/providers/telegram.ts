import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { sharedTokenScheme } from '../schemes/sharedToken.ts';

/**
 * Telegram Bot API: the `secret_token` given to `setWebhook` (1–256 characters of `A-Z a-z 0-9 _ -`)
 * comes back verbatim in `X-Telegram-Bot-Api-Secret-Token`, compared in constant time. Telegram signs
 * nothing and sends no timestamp; the delivery id, the verified body's `update_id`, is what stops a
 * replay (Telegram retries with the same update).
 */
export const telegram = defineProvider({
  id: 'telegram',
  displayName: 'Telegram',
  secretKind: 'token',
  scheme: sharedTokenScheme({
    scheme: 'telegram-secret-token',
    header: 'x-telegram-bot-api-secret-token',
    single: true,
    pattern: /^[A-Za-z0-9_-]{1,256}$/,
  }),
  deliveryId: fromJsonBody('update_id'),
});
