import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENVELOPE_INFO, parseEnvelope } from '../../../../lambdas/core/envelope/envelopeFormat.ts';
import {
  generateSealingKeyPair,
  openEnvelope,
  readEnvelopeBinding,
  SenderSetupReserve,
  sealRequest,
} from '../../../../lambdas/core/envelope/index.ts';
import { EnvelopeError } from '../../../../lambdas/core/errors.ts';
import { aBinding, aRequest, arbitraryBinding, arbitraryRequest } from './envelopeFactories.ts';

const recipient = generateSealingKeyPair();

function expectEnvelopeError(act: () => unknown, code: string): void {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(EnvelopeError);
    expect((error as EnvelopeError).code).toBe(code);
    return;
  }
  expect.fail(`expected EnvelopeError ${code}, nothing was thrown`);
}

describe('sealRequest', () => {
  it('round-trips any request and binding, the body byte for byte (bodies up to 200 KB)', () => {
    fc.assert(
      fc.property(arbitraryBinding(), arbitraryRequest(200 * 1024), (binding, request) => {
        // Act
        const envelope = sealRequest({ recipientPublicKey: recipient.publicKey, binding, request });
        const opened = openEnvelope({
          recipientPrivateKey: recipient.privateKey,
          envelope,
          expectedAgentId: binding.agentId,
        });

        // Assess
        expect(opened.binding).toEqual(binding);
        expect(opened.request.method).toBe(request.method);
        expect(opened.request.path).toBe(request.path);
        expect(opened.request.query).toBe(request.query);
        expect(Object.entries(opened.request.headers)).toEqual(Object.entries(request.headers));
        expect(Buffer.from(opened.request.body).equals(request.body)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('writes a version 1 envelope whose clear header carries the binding', () => {
    // Prepare
    const binding = aBinding();

    // Act
    const envelope = sealRequest({ recipientPublicKey: recipient.publicKey, binding, request: aRequest() });

    // Assess
    expect(Buffer.from(envelope.subarray(0, 10)).toString('hex')).toBe(
      '435045' + '01' + '0020' + '0001' + '0002',
    );
    expect(readEnvelopeBinding(envelope)).toEqual(binding);
  });

  it('is standard HPKE: @hpke/core opens it with the header as associated data', async () => {
    // Prepare
    const request = aRequest();
    const envelope = sealRequest({ recipientPublicKey: recipient.publicKey, binding: aBinding(), request });
    const { enc, header, ciphertext } = parseEnvelope(envelope);
    const suite = new CipherSuite({
      kem: new DhkemX25519HkdfSha256(),
      kdf: new HkdfSha256(),
      aead: new Aes256Gcm(),
    });

    // Act
    const plaintext = await suite.open(
      {
        recipientKey: await suite.kem.importKey('raw', new Uint8Array(recipient.privateKey).buffer, false),
        enc: new Uint8Array(enc).buffer,
        info: new Uint8Array(ENVELOPE_INFO).buffer,
      },
      ciphertext,
      header,
    );

    // Assess: the plaintext ends with the body, after its 4-byte length.
    const bytes = Buffer.from(plaintext);
    expect(bytes.subarray(bytes.length - request.body.length).equals(request.body)).toBe(true);
    expect(bytes.readUInt32BE(bytes.length - request.body.length - 4)).toBe(request.body.length);
  });

  it('seals with a setup prepared ahead to the same standard envelope: @hpke/core opens each, and none repeats an ephemeral key', async () => {
    // Prepare
    const tasks: (() => void)[] = [];
    const setups = new SenderSetupReserve({ schedule: (task) => tasks.push(task) });
    const suite = new CipherSuite({
      kem: new DhkemX25519HkdfSha256(),
      kdf: new HkdfSha256(),
      aead: new Aes256Gcm(),
    });
    const recipientKey = await suite.kem.importKey('raw', new Uint8Array(recipient.privateKey).buffer, false);
    const request = aRequest();
    const encs = new Set<string>();

    for (let i = 0; i < 4; i++) {
      // Act: the first seals on the spot, the others with the setup prepared after the one before.
      const envelope = sealRequest({
        recipientPublicKey: recipient.publicKey,
        binding: aBinding(),
        request,
        setups,
      });
      for (const task of tasks.splice(0)) task();
      const { enc, header, ciphertext } = parseEnvelope(envelope);
      const plaintext = Buffer.from(
        await suite.open(
          { recipientKey, enc: new Uint8Array(enc).buffer, info: new Uint8Array(ENVELOPE_INFO).buffer },
          ciphertext,
          header,
        ),
      );

      // Assess
      expect(plaintext.subarray(plaintext.length - request.body.length).equals(request.body)).toBe(true);
      encs.add(Buffer.from(enc).toString('hex'));
    }
    expect(encs.size).toBe(4);
  });

  it('refuses an unusable recipient key the same way with a reserve of setups', () => {
    const setups = new SenderSetupReserve({ schedule: () => undefined });
    for (const recipientPublicKey of [new Uint8Array(31), new Uint8Array(32)]) {
      expectEnvelopeError(
        () => sealRequest({ recipientPublicKey, binding: aBinding(), request: aRequest(), setups }),
        'invalid_key',
      );
    }
  });

  it('uses a fresh ephemeral key each time, so the same request never seals to the same bytes', () => {
    // Prepare
    const args = { recipientPublicKey: recipient.publicKey, binding: aBinding(), request: aRequest() };

    // Act
    const first = parseEnvelope(sealRequest(args));
    const second = parseEnvelope(sealRequest(args));

    // Assess
    expect(Buffer.from(first.enc).equals(second.enc)).toBe(false);
    expect(Buffer.from(first.ciphertext).equals(second.ciphertext)).toBe(false);
  });

  it('keeps no plaintext in clear: the body and header values are not in the envelope bytes', () => {
    // Prepare
    const canary = 'canary-7f3a9c-plaintext';
    const request = aRequest({
      body: Buffer.from(`{"secret":"${canary}"}`),
      headers: { 'x-canary': canary },
    });

    // Act
    const envelope = sealRequest({ recipientPublicKey: recipient.publicKey, binding: aBinding(), request });

    // Assess
    expect(Buffer.from(envelope).includes(canary)).toBe(false);
  });

  it.each([
    ['empty', 0],
    ['31 bytes', 31],
    ['33 bytes', 33],
  ])('refuses a recipient public key that is %s', (_name, length) => {
    expectEnvelopeError(
      () =>
        sealRequest({ recipientPublicKey: new Uint8Array(length), binding: aBinding(), request: aRequest() }),
      'invalid_key',
    );
  });

  it('refuses a recipient public key that is a low-order point', () => {
    expectEnvelopeError(
      () => sealRequest({ recipientPublicKey: new Uint8Array(32), binding: aBinding(), request: aRequest() }),
      'invalid_key',
    );
  });

  it('refuses a recipient public key that is not bytes', () => {
    expectEnvelopeError(
      () =>
        sealRequest({
          recipientPublicKey: 'a'.repeat(32) as unknown as Uint8Array,
          binding: aBinding(),
          request: aRequest(),
        }),
      'invalid_key',
    );
  });

  it('refuses a binding it cannot carry', () => {
    expectEnvelopeError(
      () =>
        sealRequest({
          recipientPublicKey: recipient.publicKey,
          binding: aBinding({ agentId: '' }),
          request: aRequest(),
        }),
      'invalid_binding',
    );
  });

  it('refuses a request it cannot carry', () => {
    expectEnvelopeError(
      () =>
        sealRequest({
          recipientPublicKey: recipient.publicKey,
          binding: aBinding(),
          request: aRequest({ body: 'not bytes' as unknown as Uint8Array }),
        }),
      'invalid_request',
    );
  });
});
