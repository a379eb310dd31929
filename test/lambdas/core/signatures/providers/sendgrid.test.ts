import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { EventWebhook } from '@sendgrid/eventwebhook';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sendgrid } from '../../../../../lambdas/core/signatures/providers/sendgrid.ts';
import type { SourceVerification, VerifyInput } from '../../../../../lambdas/core/signatures/types.ts';
import { arbitraryRequest, webhookRequest } from './support/requests.ts';

function keyPair(namedCurve = 'prime256v1'): { privateKey: KeyObject; publicKey: string; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  return {
    privateKey,
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const SG = keyPair();
const OTHER = keyPair();
const URL_ = 'https://hooks.example.com/v1/hooks/agent-1/sendgrid';
const NOW = 1_750_000_000;
const TS = String(NOW - 5);
const BODY =
  '[{"email":"user@example.com","event":"delivered","sg_event_id":"ZGVsaXZlcmVkLTAtMTIzNDU","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001","timestamp":1749999990}]\r\n';

const source = (secrets: readonly string[] = [SG.publicKey]): SourceVerification => ({
  provider: 'sendgrid',
  secrets,
});
const signWith = (privateKey: KeyObject, timestamp: string, body: string) =>
  sign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64');
const headersFor = (signature: string, timestamp = TS) => ({
  'Content-Type': 'application/json',
  'X-Twilio-Email-Event-Webhook-Signature': signature,
  'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
});
function input(
  headers: Record<string, string>,
  body = BODY,
  secrets?: readonly string[],
  nowSeconds = NOW,
): VerifyInput {
  return { request: webhookRequest({ url: URL_, headers, body }), source: source(secrets), nowSeconds };
}
const oracle = (publicKey: string, body: string, signature: string, timestamp: string) => {
  const webhook = new EventWebhook();
  return webhook.verifySignature(webhook.convertPublicKeyToECDSA(publicKey), body, signature, timestamp);
};

describe('sendgrid', () => {
  it("accepts SendGrid's published test vector", () => {
    // SendGrid's own example: key, signature and timestamp as its Event Webhook settings and SDK show them.
    const publicKey =
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==';
    const signature =
      'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=';
    const timestamp = '1600112502';
    const body = `${JSON.stringify([
      {
        email: 'hello@world.com',
        event: 'dropped',
        reason: 'Bounced Address',
        sg_event_id: 'ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA',
        sg_message_id: 'LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
        'smtp-id': '<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>',
        timestamp: 1600112492,
      },
    ])}\r\n`;
    expect(oracle(publicKey, body, signature, timestamp)).toBe(true);
    expect(sendgrid.verify(input(headersFor(signature, timestamp), body, [publicKey], 1600112510))).toEqual({
      ok: true,
      scheme: 'sendgrid-ecdsa-p256',
      secretIndex: 0,
    });
  });

  it('accepts a batch signed with a fresh key, as the SendGrid SDK does', () => {
    const signature = signWith(SG.privateKey, TS, BODY);
    expect(oracle(SG.publicKey, BODY, signature, TS)).toBe(true);
    expect(sendgrid.verify(input(headersFor(signature)))).toEqual({
      ok: true,
      scheme: 'sendgrid-ecdsa-p256',
      secretIndex: 0,
    });
  });

  it('accepts the key as PEM too', () => {
    expect(
      sendgrid.verify(input(headersFor(signWith(SG.privateKey, TS, BODY)), BODY, [SG.pem])),
    ).toMatchObject({ ok: true });
  });

  it('rejects a tampered body, a dropped trailing CRLF and re-serialised JSON', () => {
    const signature = signWith(SG.privateKey, TS, BODY);
    for (const body of [
      BODY.replace('delivered', 'bounce'),
      BODY.trimEnd(),
      `${JSON.stringify(JSON.parse(BODY), null, 1)}\r\n`,
    ]) {
      expect(oracle(SG.publicKey, body, signature, TS)).toBe(false);
      expect(sendgrid.verify(input(headersFor(signature), body))).toEqual({
        ok: false,
        reason: 'signature does not match',
      });
    }
  });

  it('rejects another account key, and matches a rotated one', () => {
    const signature = signWith(OTHER.privateKey, TS, BODY);
    expect(oracle(SG.publicKey, BODY, signature, TS)).toBe(false);
    expect(sendgrid.verify(input(headersFor(signature)))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
    expect(
      sendgrid.verify(input(headersFor(signature), BODY, [SG.publicKey, OTHER.publicKey])),
    ).toMatchObject({
      ok: true,
      secretIndex: 1,
    });
  });

  it.each([
    ['secp256k1', 'signature does not match'],
    ['secp384r1', 'malformed x-twilio-email-event-webhook-signature header'],
  ])('rejects a signature made on %s', (curve, reason) => {
    const signature = signWith(keyPair(curve).privateKey, TS, BODY);
    expect(sendgrid.verify(input(headersFor(signature)))).toEqual({ ok: false, reason });
  });

  it('refuses configured keys that are not P-256 public keys', () => {
    const signature = signWith(SG.privateKey, TS, BODY);
    const ed25519 = generateKeyPairSync('ed25519')
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64');
    const secrets = [
      keyPair('secp384r1').publicKey,
      keyPair('secp256k1').publicKey,
      ed25519,
      'not base64 at all!',
    ];
    expect(sendgrid.verify(input(headersFor(signature), BODY, secrets))).toEqual({
      ok: false,
      reason: 'no valid public key configured',
    });
  });

  it('rejects stale and future timestamps', () => {
    const old = String(NOW - 301);
    const future = String(NOW + 301);
    expect(sendgrid.verify(input(headersFor(signWith(SG.privateKey, old, BODY), old)))).toEqual({
      ok: false,
      reason: 'timestamp too old',
    });
    expect(sendgrid.verify(input(headersFor(signWith(SG.privateKey, future, BODY), future)))).toEqual({
      ok: false,
      reason: 'timestamp in the future',
    });
  });

  const good = signWith(SG.privateKey, TS, BODY);
  it.each([
    [
      'no signature',
      { 'X-Twilio-Email-Event-Webhook-Timestamp': TS },
      'missing x-twilio-email-event-webhook-signature header',
    ],
    [
      'no timestamp',
      { 'X-Twilio-Email-Event-Webhook-Signature': good },
      'missing x-twilio-email-event-webhook-timestamp header',
    ],
    [
      'a duplicated signature',
      headersFor(`${good}, ${good}`),
      'duplicated x-twilio-email-event-webhook-signature header',
    ],
    ['garbage base64', headersFor('***'), 'malformed x-twilio-email-event-webhook-signature header'],
    [
      'a too short signature',
      headersFor('MAQCAQEC'),
      'malformed x-twilio-email-event-webhook-signature header',
    ],
    [
      'an oversized signature',
      headersFor(Buffer.alloc(73, 1).toString('base64')),
      'malformed x-twilio-email-event-webhook-signature header',
    ],
    ['a raw r||s signature', headersFor(Buffer.alloc(64, 7).toString('base64')), 'signature does not match'],
    [
      'a timestamp in milliseconds',
      headersFor(good, `${TS}000`),
      'malformed x-twilio-email-event-webhook-timestamp header',
    ],
  ])('rejects %s', (_, headers, reason) => {
    expect(sendgrid.verify(input(headers))).toEqual({ ok: false, reason });
  });

  it('agrees with the SendGrid SDK on random bodies', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.boolean(), (body, flip) => {
        const signature = signWith(SG.privateKey, TS, body);
        const sent = flip ? `${body} ` : body;
        expect(sendgrid.verify(input(headersFor(signature), sent)).ok).toBe(
          oracle(SG.publicKey, sent, signature, TS),
        );
      }),
      { numRuns: 40 },
    );
  });

  it('never throws on random headers, URLs and bodies', () => {
    fc.assert(
      fc.property(
        arbitraryRequest([
          'x-twilio-email-event-webhook-signature',
          'x-twilio-email-event-webhook-timestamp',
        ]),
        (request) => {
          expect(
            sendgrid.verify({ request, source: source([SG.publicKey, 'junk']), nowSeconds: NOW }).ok,
          ).toBe(false);
        },
      ),
    );
  });
});
