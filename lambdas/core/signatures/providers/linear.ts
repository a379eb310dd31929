import { defineProvider } from '../defineProvider.ts';
import { fromHeader } from '../deliveryIds.ts';
import { parseJsonObject } from '../parseJsonObject.ts';
import { hmacHeaderScheme } from '../schemes/hmacHeaderScheme.ts';

const TOLERANCE_SECONDS = 60;

/**
 * Linear: HMAC-SHA256 of the raw body, hex, in `Linear-Signature`. The only signed time is the body's
 * `webhookTimestamp` (ms), so it is read after the signature verified and must be within a minute
 * either way (Linear's own check). Delivery id `Linear-Delivery`.
 */
export const linear = defineProvider({
  id: 'linear',
  displayName: 'Linear',
  secretKind: 'shared-secret',
  toleranceSeconds: TOLERANCE_SECONDS,
  scheme: hmacHeaderScheme({
    scheme: 'linear-sha256',
    headers: ['linear-signature'],
    algorithm: 'sha256',
    encoding: 'hex',
  }),
  afterVerify(input) {
    const sent = parseJsonObject(input.request.body)?.webhookTimestamp;
    if (typeof sent !== 'number' || !Number.isFinite(sent)) return 'missing webhookTimestamp in body';
    const toleranceMs = (input.source.toleranceSeconds ?? TOLERANCE_SECONDS) * 1000;
    const nowMs = input.nowSeconds * 1000;
    if (nowMs - sent > toleranceMs) return 'timestamp too old';
    if (sent - nowMs > toleranceMs) return 'timestamp in the future';
    return undefined;
  },
  deliveryId: fromHeader('linear-delivery'),
});
