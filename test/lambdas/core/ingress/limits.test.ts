import { describe, expect, it } from 'vitest';
import { ENVELOPE_QUEUE_RETENTION_SECONDS } from '../../../../lambdas/adapters/aws/queueSettings.ts';
import { MAX_ENVELOPE_BYTES } from '../../../../lambdas/core/delivery/chunkEnvelope.ts';
import { generateSealingKeyPair, sealRequest } from '../../../../lambdas/core/envelope/index.ts';
import { MAX_WEBHOOK_BODY_BYTES, RETENTION_MS } from '../../../../lambdas/core/ingress/limits.ts';
import { aBinding, aRequest } from '../envelope/envelopeFactories.ts';

describe('ingress limits', () => {
  it("match API Gateway's 10 MB payload limit and the 72 h retention", () => {
    // Assess
    expect(MAX_WEBHOOK_BODY_BYTES).toBe(10_485_760);
    expect(RETENTION_MS).toBe(259_200 * 1000);
  });

  it('leave SQS holding an envelope past its 72 h, so the dispatcher, not SQS, ends it', () => {
    // Assess
    expect(ENVELOPE_QUEUE_RETENTION_SECONDS * 1000).toBeGreaterThan(RETENTION_MS);
  });

  it('let the largest accepted body, sealed with a generous set of headers, still be chunked to the agent', () => {
    // Prepare: 8 KiB of headers is more than API Gateway passes on.
    const headers = Object.fromEntries(
      Array.from({ length: 64 }, (_, i) => [`x-header-${i}`, 'v'.repeat(128)] as const),
    );
    const { publicKey } = generateSealingKeyPair();

    // Act
    const sealed = sealRequest({
      recipientPublicKey: publicKey,
      binding: aBinding({ deliveryId: 'd'.repeat(255) }),
      request: aRequest({ headers, body: new Uint8Array(MAX_WEBHOOK_BODY_BYTES) }),
    });

    // Assess
    expect(sealed.byteLength).toBeGreaterThan(MAX_WEBHOOK_BODY_BYTES);
    expect(sealed.byteLength).toBeLessThanOrEqual(MAX_ENVELOPE_BYTES);
  });
});
