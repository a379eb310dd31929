import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { verifyKey } from 'discord-interactions';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discord } from '../../../../../lambdas/core/signatures/providers/discord.ts';
import type { SourceVerification, VerifyInput } from '../../../../../lambdas/core/signatures/types.ts';
import { arbitraryRequest, webhookRequest } from './support/requests.ts';

function keyPair(): { privateKey: KeyObject; publicHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { privateKey, publicHex: Buffer.from(x, 'base64url').toString('hex') };
}

const APP = keyPair();
const OTHER_APP = keyPair();
const URL_ = 'https://hooks.example.com/v1/hooks/agent-1/discord';
const NOW = 1_750_000_000;
const TS = String(NOW - 2);
const BODY =
  '{"app_permissions":"0","application_id":"1100000000000000001","id":"1234567890123456789","type":2,"data":{"name":"ping","type":1},"token":"aW50ZXJhY3Rpb24","version":1}';

const source = (secrets: readonly string[] = [APP.publicHex]): SourceVerification => ({
  provider: 'discord',
  secrets,
});
const signWith = (privateKey: KeyObject, timestamp: string, body: string) =>
  sign(null, Buffer.from(timestamp + body), privateKey).toString('hex');

function input(
  headers: Record<string, string>,
  body = BODY,
  secrets?: readonly string[],
  nowSeconds = NOW,
): VerifyInput {
  return { request: webhookRequest({ url: URL_, headers, body }), source: source(secrets), nowSeconds };
}
const headersFor = (signature: string, timestamp = TS) => ({
  'Content-Type': 'application/json',
  'X-Signature-Ed25519': signature,
  'X-Signature-Timestamp': timestamp,
});

describe('discord signatures', () => {
  it('accepts an interaction discord-interactions accepts, with its id as delivery id', async () => {
    // Prepare
    const signature = signWith(APP.privateKey, TS, BODY);
    // Act
    const result = discord.verify(input(headersFor(signature)));
    // Assess
    expect(await verifyKey(BODY, signature, TS, APP.publicHex)).toBe(true);
    expect(result).toEqual({
      ok: true,
      scheme: 'discord-ed25519',
      secretIndex: 0,
      deliveryId: '1234567890123456789',
    });
  });

  it('rejects a tampered body and the same JSON re-serialised', async () => {
    const signature = signWith(APP.privateKey, TS, BODY);
    const tampered = BODY.replace('"name":"ping"', '"name":"ban"');
    const reserialised = JSON.stringify(JSON.parse(BODY), null, 2);
    expect(await verifyKey(tampered, signature, TS, APP.publicHex)).toBe(false);
    expect(discord.verify(input(headersFor(signature), tampered))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
    expect(discord.verify(input(headersFor(signature), reserialised))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('rejects a signature over another timestamp', () => {
    const signature = signWith(APP.privateKey, TS, BODY);
    expect(discord.verify(input(headersFor(signature, String(NOW - 1))))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it("rejects another application's key, and matches a rotated one", async () => {
    const signature = signWith(OTHER_APP.privateKey, TS, BODY);
    expect(await verifyKey(BODY, signature, TS, APP.publicHex)).toBe(false);
    expect(discord.verify(input(headersFor(signature)))).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
    expect(
      discord.verify(input(headersFor(signature), BODY, [APP.publicHex, OTHER_APP.publicHex])),
    ).toMatchObject({
      ok: true,
      secretIndex: 1,
    });
  });

  it('rejects stale and future timestamps', () => {
    const old = String(NOW - 301);
    const future = String(NOW + 301);
    expect(discord.verify(input(headersFor(signWith(APP.privateKey, old, BODY), old)))).toEqual({
      ok: false,
      reason: 'timestamp too old',
    });
    expect(discord.verify(input(headersFor(signWith(APP.privateKey, future, BODY), future)))).toEqual({
      ok: false,
      reason: 'timestamp in the future',
    });
  });

  it('skips a malformed configured key and still matches a good one', () => {
    const signature = signWith(APP.privateKey, TS, BODY);
    expect(discord.verify(input(headersFor(signature), BODY, ['not-a-key', APP.publicHex]))).toMatchObject({
      ok: true,
      secretIndex: 1,
    });
  });

  it.each([
    ['not hex', ['zz'.repeat(32)]],
    ['too short', ['ab'.repeat(31)]],
    ['a PEM key', ['-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----']],
  ])('says so when no configured key is usable (%s)', (_, secrets) => {
    const signature = signWith(APP.privateKey, TS, BODY);
    expect(discord.verify(input(headersFor(signature), BODY, secrets))).toEqual({
      ok: false,
      reason: 'no valid public key configured',
    });
  });

  const good = signWith(APP.privateKey, TS, BODY);
  it.each([
    ['no signature', { 'X-Signature-Timestamp': TS }, 'missing x-signature-ed25519 header'],
    ['no timestamp', { 'X-Signature-Ed25519': good }, 'missing x-signature-timestamp header'],
    ['a duplicated signature', headersFor(`${good}, ${good}`), 'duplicated x-signature-ed25519 header'],
    ['a duplicated timestamp', headersFor(good, `${TS}, ${TS}`), 'duplicated x-signature-timestamp header'],
    ['a signature that is not hex', headersFor('g'.repeat(128)), 'malformed x-signature-ed25519 header'],
    ['a signature of 63 bytes', headersFor(good.slice(2)), 'malformed x-signature-ed25519 header'],
    [
      'a base64 signature',
      headersFor(Buffer.from(good, 'hex').toString('base64')),
      'malformed x-signature-ed25519 header',
    ],
    ['a timestamp with a fraction', headersFor(good, `${TS}.5`), 'malformed x-signature-timestamp header'],
    ['a negative timestamp', headersFor(good, `-${TS}`), 'malformed x-signature-timestamp header'],
  ])('rejects %s', (_, headers, reason) => {
    expect(discord.verify(input(headers))).toEqual({ ok: false, reason });
  });

  it('agrees with discord-interactions on random bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.boolean(), async (body, flip) => {
        const signature = signWith(APP.privateKey, TS, body);
        const sent = flip ? `${body}x` : body;
        const ours = discord.verify(input(headersFor(signature), sent)).ok;
        expect(ours).toBe(await verifyKey(sent, signature, TS, APP.publicHex));
      }),
      { numRuns: 50 },
    );
  });

  it('never throws on random headers, URLs and bodies', () => {
    fc.assert(
      fc.property(arbitraryRequest(['x-signature-ed25519', 'x-signature-timestamp']), (request) => {
        const result = discord.verify({ request, source: source([APP.publicHex, 'junk']), nowSeconds: NOW });
        expect(result.ok).toBe(false);
        expect(discord.handshake?.({ request, source: source(), nowSeconds: NOW }, result)).toBeUndefined();
      }),
    );
  });
});

describe('discord PING handshake', () => {
  const PING_BODY = '{"application_id":"1100000000000000001","id":"1","type":1,"version":1}';

  it('answers a verified PING with PONG as JSON', () => {
    const verifyInput = input(headersFor(signWith(APP.privateKey, TS, PING_BODY)), PING_BODY);
    const verified = discord.verify(verifyInput);
    expect(verified.ok).toBe(true);
    const answer = discord.handshake?.(verifyInput, verified);
    expect(answer).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"type":1}',
    });
    expect(JSON.parse(answer!.body)).toEqual({ type: 1 });
  });

  it('does not answer a PING whose signature failed', () => {
    const verifyInput = input(headersFor(signWith(OTHER_APP.privateKey, TS, PING_BODY)), PING_BODY);
    const verified = discord.verify(verifyInput);
    expect(verified.ok).toBe(false);
    expect(discord.handshake?.(verifyInput, verified)).toBeUndefined();
  });

  it('leaves other interactions to the agent', () => {
    const verifyInput = input(headersFor(signWith(APP.privateKey, TS, BODY)));
    expect(discord.handshake?.(verifyInput, discord.verify(verifyInput))).toBeUndefined();
  });
});
