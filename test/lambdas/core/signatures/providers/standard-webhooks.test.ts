import { generateKeyPairSync, sign } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it, vi } from 'vitest';
import { standardWebhooks } from '../../../../../lambdas/core/signatures/providers/standard-webhooks.ts';
import { supabase } from '../../../../../lambdas/core/signatures/providers/supabase.ts';
import { signedRequest } from '../support/signedRequest.ts';

const at = 1_767_225_600;
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const body = '{"type":"user.created","data":{"id":"u_1"}}';

function verify(headers: Record<string, string>, secrets: string[], now = at, payload = body) {
  return standardWebhooks.verify({
    request: signedRequest({ headers, body: payload }),
    source: { provider: 'standard-webhooks', secrets },
    nowSeconds: now,
  });
}

function ed25519() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  return { whpk: `whpk_${raw.toString('base64')}`, privateKey };
}

describe('standard-webhooks', () => {
  it('accepts what the reference library signs and the reference library accepts what it accepts', () => {
    // Prepare
    const signature = new Webhook(secret).sign('msg_1', new Date(at * 1000), body);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(at),
      'webhook-signature': signature,
    };

    // Act
    const result = verify(headers, [secret]);

    // Assess
    vi.useFakeTimers({ now: at * 1000 });
    try {
      expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    } finally {
      vi.useRealTimers();
    }
    expect(result).toEqual({ ok: true, scheme: 'standard-webhooks-v1', secretIndex: 0, deliveryId: 'msg_1' });
  });

  it('accepts the svix-* header names, signed by the Svix library', () => {
    const signature = new SvixWebhook(secret).sign('msg_2', new Date(at * 1000), body);

    const result = verify({ 'svix-id': 'msg_2', 'svix-timestamp': String(at), 'svix-signature': signature }, [
      secret,
    ]);

    expect(result).toEqual({ ok: true, scheme: 'standard-webhooks-v1', secretIndex: 0, deliveryId: 'msg_2' });
  });

  it('verifies v1a Ed25519 signatures against a whpk_ public key, beside v1 secrets', () => {
    // The spec's v1a: Ed25519 over "{id}.{timestamp}.{body}", base64; node:crypto signs as the oracle.
    const { whpk, privateKey } = ed25519();
    const sig = sign(null, Buffer.from(`msg_3.${at}.${body}`), privateKey).toString('base64');
    const headers = {
      'webhook-id': 'msg_3',
      'webhook-timestamp': String(at),
      'webhook-signature': `v1,AAAA v1a,${sig}`,
    };

    expect(verify(headers, [secret, whpk])).toEqual({
      ok: true,
      scheme: 'standard-webhooks-v1a',
      secretIndex: 1,
      deliveryId: 'msg_3',
    });
    expect(verify(headers, [secret, whpk], at, `${body} `)).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
    expect(verify(headers, [ed25519().whpk])).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuses a v1a signature checked against an HMAC secret, and skips secrets that do not decode', () => {
    const { privateKey } = ed25519();
    const sig = sign(null, Buffer.from(`msg_4.${at}.${body}`), privateKey).toString('base64');
    const headers = {
      'webhook-id': 'msg_4',
      'webhook-timestamp': String(at),
      'webhook-signature': `v1a,${sig}`,
    };

    expect(verify(headers, [secret, 'whpk_short', 'whsec_!!!'])).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('refuses missing, duplicated and malformed id and timestamp headers', () => {
    const signature = new Webhook(secret).sign('msg_5', new Date(at * 1000), body);
    const good = { 'webhook-id': 'msg_5', 'webhook-timestamp': String(at), 'webhook-signature': signature };

    expect(verify({ ...good, 'webhook-id': undefined as unknown as string }, [secret])).toMatchObject({
      ok: false,
    });
    expect(verify({ ...good, 'webhook-id': 'msg_5, msg_5' }, [secret])).toEqual({
      ok: false,
      reason: 'duplicated webhook-id header',
    });
    expect(verify({ ...good, 'webhook-timestamp': '1e9' }, [secret])).toEqual({
      ok: false,
      reason: 'malformed webhook-timestamp header',
    });
  });
});

describe('supabase', () => {
  it('takes the secret as Supabase shows it, with its v1, prefix', () => {
    const signature = new Webhook(secret).sign('msg_6', new Date(at * 1000), body);

    const result = supabase.verify({
      request: signedRequest({
        headers: { 'webhook-id': 'msg_6', 'webhook-timestamp': String(at), 'webhook-signature': signature },
        body,
      }),
      source: { provider: 'supabase', secrets: [`v1,${secret}`] },
      nowSeconds: at,
    });

    expect(result).toEqual({ ok: true, scheme: 'standard-webhooks-v1', secretIndex: 0, deliveryId: 'msg_6' });
  });
});
