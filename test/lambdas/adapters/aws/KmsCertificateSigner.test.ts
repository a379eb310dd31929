import { createHash } from 'node:crypto';
import {
  DisabledException,
  GetPublicKeyCommand,
  KMSClient,
  KMSInternalException,
  SignCommand,
  type SignCommandInput,
} from '@aws-sdk/client-kms';
import { AsnParser } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KmsCertificateSigner } from '../../../../lambdas/adapters/aws/KmsCertificateSigner.ts';
import { createCaCertificate } from '../../../../lambdas/core/identity/createCaCertificate.ts';
import { issueAgentCertificate } from '../../../../lambdas/core/identity/issueAgentCertificate.ts';
import { OpenSslWorkspace } from '../../../support/openssl.ts';

const KEY_ALIAS = 'alias/clawpulsar-agent-ca';
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const YEAR = 365 * 24 * 60 * 60 * 1000;

describe('KmsCertificateSigner', () => {
  const ssl = new OpenSslWorkspace();
  const kms = mockClient(KMSClient);
  let spki: Uint8Array;

  /**
   * Stands in for KMS's HSM: signs the 32-byte digest as given, with openssl pkeyutl, which (like KMS
   * with MessageType DIGEST) does not hash its input again.
   */
  function signLikeKms(input: SignCommandInput) {
    ssl.write('digest.bin', input.Message!);
    ssl.must(['pkeyutl', '-sign', '-inkey', 'kms.key', '-in', 'digest.bin', '-out', 'signature.der']);
    return {
      KeyId: KEY_ARN,
      Signature: new Uint8Array(ssl.read('signature.der')),
      SigningAlgorithm: 'ECDSA_SHA_256' as const,
    };
  }

  function publicKeyResponse(overrides: Record<string, unknown> = {}) {
    return {
      KeyId: KEY_ARN,
      PublicKey: spki,
      KeySpec: 'ECC_NIST_P256' as const,
      KeyUsage: 'SIGN_VERIFY' as const,
      SigningAlgorithms: ['ECDSA_SHA_256' as const],
      ...overrides,
    };
  }

  beforeAll(() => {
    ssl.must(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'kms.key']);
    ssl.must(['pkey', '-in', 'kms.key', '-pubout', '-outform', 'DER', '-out', 'kms.pub.der']);
    spki = new Uint8Array(ssl.read('kms.pub.der'));
  });
  beforeEach(() => {
    kms.reset();
    kms.on(GetPublicKeyCommand).resolves(publicKeyResponse());
    kms.on(SignCommand).callsFake(signLikeKms);
  });
  afterAll(() => {
    kms.restore();
    ssl.remove();
  });

  it('reads the public key once, by the id it was given', async () => {
    // Act
    const signer = await KmsCertificateSigner.create({
      client: new KMSClient({ region: 'eu-west-1' }),
      keyId: KEY_ALIAS,
    });

    // Assess
    expect(kms.commandCalls(GetPublicKeyCommand).map((call) => call.args[0].input)).toEqual([
      { KeyId: KEY_ALIAS },
    ]);
    expect(Buffer.from(signer.publicKeySpki)).toEqual(Buffer.from(spki));
    expect(signer.keyArn).toBe(KEY_ARN);
  });

  it('signs the SHA-256 digest of the TBS with ECDSA_SHA_256 in DIGEST mode, naming the key ARN', async () => {
    // Prepare
    const signer = await KmsCertificateSigner.create({
      client: new KMSClient({ region: 'eu-west-1' }),
      keyId: KEY_ALIAS,
    });

    // Act
    const ca = await createCaCertificate({
      signer,
      commonName: 'ClawPulsar agent CA',
      now: Date.now(),
      lifetimeMs: YEAR,
    });

    // Assess
    const tbs = new Uint8Array(AsnParser.parse(ca.certificateDer, Certificate).tbsCertificateRaw!);
    const calls = kms.commandCalls(SignCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      {
        KeyId: KEY_ARN,
        Message: createHash('sha256').update(tbs).digest(),
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      },
    ]);
    expect(tbs.byteLength).toBeGreaterThan(32);
  });

  it('builds a CA and agent certificates that openssl verifies', async () => {
    // Prepare
    const signer = await KmsCertificateSigner.create({
      client: new KMSClient({ region: 'eu-west-1' }),
      keyId: KEY_ALIAS,
    });
    const now = Date.now();

    // Act
    const ca = await createCaCertificate({
      signer,
      commonName: 'ClawPulsar agent CA',
      now,
      lifetimeMs: YEAR,
    });
    const agent = await issueAgentCertificate({
      csr: ssl.csr('agent'),
      agentId: 'laptop-1',
      signer,
      caCertificate: ca.certificatePem,
      now,
    });

    // Assess
    ssl.write('ca.pem', ca.certificatePem);
    ssl.write('agent.pem', agent.certificatePem);
    expect(ssl.run(['verify', '-x509_strict', '-CAfile', 'ca.pem', 'ca.pem']).stdout.trim()).toBe(
      'ca.pem: OK',
    );
    expect(
      ssl
        .run(['verify', '-x509_strict', '-CAfile', 'ca.pem', '-purpose', 'sslclient', 'agent.pem'])
        .stdout.trim(),
    ).toBe('agent.pem: OK');
    expect(ssl.must(['x509', '-in', 'ca.pem', '-noout', '-pubkey'])).toBe(
      ssl.must(['pkey', '-in', 'kms.key', '-pubout']),
    );
  });

  it('fails closed when KMS signs with another key than it reported', async () => {
    // Prepare
    ssl.must(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'other.key']);
    ssl.must(['pkey', '-in', 'other.key', '-pubout', '-outform', 'DER', '-out', 'other.pub.der']);
    kms
      .on(GetPublicKeyCommand)
      .resolves(publicKeyResponse({ PublicKey: new Uint8Array(ssl.read('other.pub.der')) }));
    const signer = await KmsCertificateSigner.create({
      client: new KMSClient({ region: 'eu-west-1' }),
      keyId: KEY_ALIAS,
    });

    // Act + Assess
    await expect(
      createCaCertificate({ signer, commonName: 'ClawPulsar agent CA', now: Date.now(), lifetimeMs: YEAR }),
    ).rejects.toMatchObject({ code: 'signer_signature_invalid' });
  });

  function p384Spki(): Uint8Array {
    ssl.must(['ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'p384.key']);
    ssl.must(['pkey', '-in', 'p384.key', '-pubout', '-outform', 'DER', '-out', 'p384.pub.der']);
    return new Uint8Array(ssl.read('p384.pub.der'));
  }

  it.each<[string, () => Record<string, unknown>]>([
    ['a P-384 key spec', () => ({ KeySpec: 'ECC_NIST_P384' })],
    ['an encryption key', () => ({ KeyUsage: 'ENCRYPT_DECRYPT' })],
    ['no ECDSA_SHA_256 algorithm', () => ({ SigningAlgorithms: ['ECDSA_SHA_384'] })],
    ['no public key', () => ({ PublicKey: undefined })],
    ['a public key that is not P-256', () => ({ PublicKey: p384Spki() })],
  ])('refuses a key with %s', async (_label, overrides) => {
    // Prepare
    kms.on(GetPublicKeyCommand).resolves(publicKeyResponse(overrides()));

    // Act + Assess
    await expect(
      KmsCertificateSigner.create({ client: new KMSClient({ region: 'eu-west-1' }), keyId: KEY_ALIAS }),
    ).rejects.toMatchObject({
      code: 'signing_key_unsupported',
      status: 500,
    });
  });

  it('reports a KMS internal error as retryable', async () => {
    // Prepare
    const signer = await KmsCertificateSigner.create({
      client: new KMSClient({ region: 'eu-west-1' }),
      keyId: KEY_ALIAS,
    });
    kms
      .on(SignCommand)
      .rejects(new KMSInternalException({ message: 'internal', $metadata: { httpStatusCode: 500 } }));

    // Act + Assess
    await expect(signer.sign(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({
      code: 'key_service_unavailable',
      status: 503,
    });
  });

  it('reports a throttled call as retryable', async () => {
    // Prepare
    const signer = await KmsCertificateSigner.create({
      client: new KMSClient({ region: 'eu-west-1' }),
      keyId: KEY_ALIAS,
    });
    kms.on(SignCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    // Act + Assess
    await expect(signer.sign(new Uint8Array([1]))).rejects.toMatchObject({ code: 'key_service_unavailable' });
  });

  it('reports a disabled key as a refusal, not a retry', async () => {
    // Prepare
    kms
      .on(GetPublicKeyCommand)
      .rejects(new DisabledException({ message: 'disabled', $metadata: { httpStatusCode: 400 } }));

    // Act + Assess
    await expect(
      KmsCertificateSigner.create({ client: new KMSClient({ region: 'eu-west-1' }), keyId: KEY_ALIAS }),
    ).rejects.toMatchObject({
      code: 'signing_key_refused',
      status: 500,
      data: { operation: 'GetPublicKey', error: 'DisabledException' },
    });
  });

  it('refuses a Sign answer without a signature', async () => {
    // Prepare
    const signer = await KmsCertificateSigner.create({
      client: new KMSClient({ region: 'eu-west-1' }),
      keyId: KEY_ALIAS,
    });
    kms.on(SignCommand).resolves({ KeyId: KEY_ARN, SigningAlgorithm: 'ECDSA_SHA_256' });

    // Act + Assess
    await expect(signer.sign(new Uint8Array([1]))).rejects.toMatchObject({ code: 'signing_key_refused' });
  });
});
