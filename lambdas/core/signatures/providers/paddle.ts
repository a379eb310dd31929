import { defineProvider } from '../defineProvider.ts';
import { fromJsonBody } from '../deliveryIds.ts';
import { timestampedHmacScheme } from '../schemes/timestampedHmacScheme.ts';

/**
 * Paddle Billing: `Paddle-Signature: ts=…;h1=…[;h1=…]`, HMAC-SHA256 hex of `{ts}:{body}` with the
 * notification destination's secret key; 5 seconds' tolerance, the default of Paddle's own SDKs (raise it
 * per source with `toleranceSeconds` if clocks drift). Delivery id `notification_id`.
 */
export const paddle = defineProvider({
  id: 'paddle',
  displayName: 'Paddle',
  secretKind: 'shared-secret',
  toleranceSeconds: 5,
  scheme: timestampedHmacScheme({
    scheme: 'paddle-h1',
    signatureHeader: 'paddle-signature',
    layout: { kind: 'pairs', separator: ';', timestampKey: 'ts', signatureKey: 'h1' },
    content: '{timestamp}:{body}',
    algorithm: 'sha256',
    encoding: 'hex',
    toleranceSeconds: 5,
  }),
  deliveryId: fromJsonBody('notification_id'),
});
