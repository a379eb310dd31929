import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createCaCertificate } from '../../../../lambdas/core/identity/createCaCertificate.ts';
import { OpenSslWorkspace } from '../../../support/openssl.ts';
import { testSigner } from './support/testSigner.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('createCaCertificate', () => {
  const ssl = new OpenSslWorkspace();
  afterAll(() => ssl.remove());

  it('creates a self-signed CA certificate that openssl verifies against itself', async () => {
    // Prepare
    const signer = testSigner();

    // Act
    const ca = await createCaCertificate({
      signer,
      commonName: 'ClawPulsar agent CA',
      now: Date.now(),
      lifetimeMs: 3650 * DAY,
    });
    ssl.write('ca.pem', ca.certificatePem);
    const result = ssl.run(['verify', '-x509_strict', '-CAfile', 'ca.pem', 'ca.pem']);

    // Assess
    expect(result.stdout.trim()).toBe('ca.pem: OK');
    expect(result.status).toBe(0);
  });

  it('limits the CA to issuing end-entity certificates: CA:TRUE, pathlen 0, keyCertSign and cRLSign', async () => {
    // Prepare
    const signer = testSigner();
    const ca = await createCaCertificate({
      signer,
      commonName: 'ClawPulsar agent CA',
      now: Date.now(),
      lifetimeMs: 10 * DAY,
    });
    ssl.write('ca2.pem', ca.certificatePem);

    // Act
    const text = ssl.must(['x509', '-in', 'ca2.pem', '-noout', '-text']);

    // Assess
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:TRUE, pathlen:0\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Certificate Sign, CRL Sign\n/);
    expect(text).toContain('Subject: CN = ClawPulsar agent CA');
    expect(text).toContain('Issuer: CN = ClawPulsar agent CA');
    const skid = ssl
      .must(['x509', '-in', 'ca2.pem', '-noout', '-ext', 'subjectKeyIdentifier'])
      .split('\n')[1]!
      .trim();
    expect(text).toMatch(new RegExp(`X509v3 Authority Key Identifier: \\n\\s+(keyid:)?${skid}`));
    const x509 = new X509Certificate(ca.certificateDer);
    expect(x509.ca).toBe(true);
    expect(x509.publicKey.export({ type: 'spki', format: 'der' })).toEqual(Buffer.from(signer.publicKeySpki));
  });

  it('dates the CA from 5 minutes ago for the lifetime asked, past 2049 too', async () => {
    // Prepare
    const now = Date.UTC(2040, 5, 1, 12, 0, 0, 250);

    // Act
    const ca = await createCaCertificate({
      signer: testSigner(),
      commonName: 'Long CA',
      now,
      lifetimeMs: 20 * 365 * DAY,
    });

    // Assess
    const x509 = new X509Certificate(ca.certificateDer);
    expect(x509.validFromDate.getTime()).toBe(Date.UTC(2040, 5, 1, 11, 55, 0));
    expect(x509.validToDate.getTime()).toBe(Math.floor((now + 20 * 365 * DAY) / 1000) * 1000);
    expect(ca.notAfter).toBe(x509.validToDate.getTime());
  });

  it.each([
    ['empty', ''],
    ['longer than 64 characters', 'C'.repeat(65)],
    ['a control character', 'CA\nname'],
    ['non-ASCII', 'CA ☃'],
  ])('refuses a common name that is %s', async (_label, commonName) => {
    await expect(
      createCaCertificate({ signer: testSigner(), commonName, now: Date.now(), lifetimeMs: 10 * DAY }),
    ).rejects.toMatchObject({
      code: 'ca_common_name_invalid',
      status: 400,
    });
  });

  it.each([
    ['a single day', DAY],
    ['over 20 years', 21 * 365 * DAY],
    ['not a whole number', 10 * DAY + 0.5],
  ])('refuses a lifetime of %s', async (_label, lifetimeMs) => {
    await expect(
      createCaCertificate({ signer: testSigner(), commonName: 'CA', now: Date.now(), lifetimeMs }),
    ).rejects.toMatchObject({
      code: 'ca_lifetime_invalid',
    });
  });

  it('refuses a signer whose key is not P-256', async () => {
    // Prepare
    const p384 = testSigner('P-384');

    // Act + Assess
    await expect(
      createCaCertificate({ signer: p384, commonName: 'CA', now: Date.now(), lifetimeMs: 10 * DAY }),
    ).rejects.toMatchObject({
      code: 'signer_key_unsupported',
      status: 500,
    });
  });
});
