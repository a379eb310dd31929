import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClawPulsarError } from '../../../../lambdas/core/errors.ts';
import { createCaCertificate } from '../../../../lambdas/core/identity/createCaCertificate.ts';
import { issueAgentCertificate } from '../../../../lambdas/core/identity/issueAgentCertificate.ts';
import type { IssuedCertificate } from '../../../../lambdas/core/identity/signCertificate.ts';
import { OpenSslWorkspace } from '../../../support/openssl.ts';
import { testSigner } from './support/testSigner.ts';

const HOUR = 60 * 60 * 1000;
const YEAR = 365 * 24 * HOUR;

describe('issueAgentCertificate', () => {
  const ssl = new OpenSslWorkspace();
  const signer = testSigner();
  const now = Date.now();
  let ca: IssuedCertificate;
  let csrPem: string;
  let issued: IssuedCertificate;

  beforeAll(async () => {
    ca = await createCaCertificate({ signer, commonName: 'ClawPulsar test CA', now, lifetimeMs: 5 * YEAR });
    ssl.write('ca.pem', ca.certificatePem);
    csrPem = ssl.csr('agent', 'p256', '/CN=evil-other-agent/O=Spoof');
    issued = await issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer,
      caCertificate: ca.certificatePem,
      now,
    });
    ssl.write('agent.pem', issued.certificatePem);
  });
  afterAll(() => ssl.remove());

  it('issues a certificate that openssl verifies against the CA for TLS client use', () => {
    // Act
    const result = ssl.run([
      'verify',
      '-CAfile',
      'ca.pem',
      '-purpose',
      'sslclient',
      '-x509_strict',
      'agent.pem',
    ]);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('agent.pem: OK');
  });

  it('names the agent from the registration in CN and URI SAN, ignoring the CSR subject', () => {
    // Act
    const subject = ssl.must(['x509', '-in', 'agent.pem', '-noout', '-subject', '-nameopt', 'RFC2253']);
    const issuer = ssl.must(['x509', '-in', 'agent.pem', '-noout', '-issuer', '-nameopt', 'RFC2253']);
    const san = ssl.must(['x509', '-in', 'agent.pem', '-noout', '-ext', 'subjectAltName']);

    // Assess
    expect(subject.trim()).toBe('subject=CN=laptop-1');
    expect(issuer.trim()).toBe('issuer=CN=ClawPulsar test CA');
    expect(san).toContain('URI:urn:clawpulsar:agent:laptop-1');
    expect(san).not.toContain('evil');
  });

  it('marks it as a client certificate that is not a CA, with key identifiers chained to the CA', () => {
    // Act
    const text = ssl.must(['x509', '-in', 'agent.pem', '-noout', '-text']);
    const caText = ssl.must(['x509', '-in', 'ca.pem', '-noout', '-ext', 'subjectKeyIdentifier']);

    // Assess
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Client Authentication\n/);
    expect(text).toContain('X509v3 Subject Key Identifier');
    const caKeyId = caText.split('\n')[1]!.trim();
    expect(text).toMatch(new RegExp(`X509v3 Authority Key Identifier: \\n\\s+(keyid:)?${caKeyId}`));
    expect(text).toContain('ASN1 OID: prime256v1');
  });

  it('carries the public key of the CSR', () => {
    // Act
    const fromCsr = ssl.must(['req', '-in', 'agent.csr', '-noout', '-pubkey']);
    const fromCert = ssl.must(['x509', '-in', 'agent.pem', '-noout', '-pubkey']);

    // Assess
    expect(fromCert).toBe(fromCsr);
  });

  it('is valid from 5 minutes before now for at most 24 hours after now', () => {
    // Act
    const dates = ssl.must([
      'x509',
      '-in',
      'agent.pem',
      '-noout',
      '-startdate',
      '-enddate',
      '-dateopt',
      'iso_8601',
    ]);
    const notBefore = Date.parse(/notBefore=(.+)/.exec(dates)![1]!.replace(' ', 'T'));
    const notAfter = Date.parse(/notAfter=(.+)/.exec(dates)![1]!.replace(' ', 'T'));

    // Assess
    expect(notBefore).toBe(Math.floor((now - 5 * 60 * 1000) / 1000) * 1000);
    expect(notAfter).toBe(Math.floor((now + 24 * HOUR) / 1000) * 1000);
    expect(notAfter - now).toBeLessThanOrEqual(24 * HOUR);
    expect(issued.notBefore).toBe(notBefore);
    expect(issued.notAfter).toBe(notAfter);
  });

  it('uses a random positive 16-byte serial number, different each time', async () => {
    // Act
    const again = await issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer,
      caCertificate: ca.certificatePem,
      now,
    });
    const serial = ssl.must(['x509', '-in', 'agent.pem', '-noout', '-serial']);

    // Assess
    expect(serial.trim()).toBe(`serial=${issued.serialNumber.toUpperCase()}`);
    expect(issued.serialNumber).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(again.serialNumber).not.toBe(issued.serialNumber);
  });

  it('is refused by openssl when checked against a different CA', async () => {
    // Prepare
    const otherCa = await createCaCertificate({
      signer: testSigner(),
      commonName: 'ClawPulsar test CA',
      now,
      lifetimeMs: YEAR,
    });
    ssl.write('other-ca.pem', otherCa.certificatePem);

    // Act
    const result = ssl.run(['verify', '-CAfile', 'other-ca.pem', 'agent.pem']);

    // Assess
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/certificate signature failure|unable to get local issuer/);
  });

  it('is refused by openssl once it has expired', () => {
    // Act
    const at = Math.floor((now + 24 * HOUR + 60_000) / 1000);
    const result = ssl.run(['verify', '-CAfile', 'ca.pem', '-attime', String(at), 'agent.pem']);

    // Assess
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('certificate has expired');
  });

  it('accepts a DER CSR as well as PEM', async () => {
    // Prepare
    ssl.must(['req', '-in', 'agent.csr', '-outform', 'DER', '-out', 'agent.csr.der']);

    // Act
    const fromDer = await issueAgentCertificate({
      csr: new Uint8Array(ssl.read('agent.csr.der')),
      agentId: 'laptop-1',
      signer,
      caCertificate: ca.certificateDer,
      now,
    });

    // Assess
    ssl.write('agent-der.pem', fromDer.certificatePem);
    expect(ssl.run(['verify', '-CAfile', 'ca.pem', 'agent-der.pem']).status).toBe(0);
  });

  it('never lets the certificate outlive the CA', async () => {
    // Prepare
    const shortCa = await createCaCertificate({
      signer,
      commonName: 'Short CA',
      now,
      lifetimeMs: 2 * 24 * HOUR,
    });
    const late = now + 36 * HOUR;

    // Act
    const result = await issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer,
      caCertificate: shortCa.certificatePem,
      now: late,
    });

    // Assess
    expect(result.notAfter).toBe(Math.floor((now + 48 * HOUR) / 1000) * 1000);
    expect(new X509Certificate(result.certificateDer).validToDate.getTime()).toBe(result.notAfter);
  });

  it.each([
    ['above 24 hours', 24 * HOUR + 1],
    ['a week', 7 * 24 * HOUR],
    ['under a minute', 59_999],
    ['zero', 0],
    ['negative', -HOUR],
    ['fractional', 1.5 * HOUR + 0.5],
    ['NaN', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('refuses a lifetime that is %s', async (_label, lifetimeMs) => {
    // Act
    const attempt = issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer,
      caCertificate: ca.certificatePem,
      now,
      lifetimeMs,
    });

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'certificate_lifetime_invalid', status: 400 });
  });

  it.each([
    ['empty', ''],
    ['too short', 'ab'],
    ['too long', `a${'b'.repeat(63)}`],
    ['upper case', 'Laptop-1'],
    ['a slash', 'a/b-agent'],
    ['an MQTT single-level wildcard', 'agent+1'],
    ['an MQTT multi-level wildcard', 'agent#1'],
    ['a leading dash', '-agent'],
    ['a space', 'my agent'],
    ['a non-ASCII letter', 'agént-1'],
    ['a trailing newline', 'agent-1\n'],
  ])('refuses an agent id that is %s', async (_label, agentId) => {
    // Act
    const attempt = issueAgentCertificate({
      csr: csrPem,
      agentId,
      signer,
      caCertificate: ca.certificatePem,
      now,
    });

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'agent_id_invalid', status: 400 });
  });

  it('refuses to issue when the CA certificate belongs to another key', async () => {
    // Act
    const attempt = issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer: testSigner(),
      caCertificate: ca.certificatePem,
      now,
    });

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'ca_signer_mismatch', status: 500 });
  });

  it('refuses to issue outside the CA validity', async () => {
    // Act
    const attempt = issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer,
      caCertificate: ca.certificatePem,
      now: now + 6 * YEAR,
    });

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'ca_certificate_not_valid' });
  });

  it('fails closed when the signer returns a signature that does not verify', async () => {
    // Prepare
    const liar = { publicKeySpki: signer.publicKeySpki, sign: (tbs: Uint8Array) => testSigner().sign(tbs) };

    // Act
    const attempt = issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer: liar,
      caCertificate: ca.certificatePem,
      now,
    });

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'signer_signature_invalid' });
  });

  it('refuses a time that is not whole milliseconds', async () => {
    // Act
    const attempt = issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer,
      caCertificate: ca.certificatePem,
      now: Number.NaN,
    });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ClawPulsarError);
    await expect(attempt).rejects.toMatchObject({ code: 'time_invalid' });
  });

  it('never issues a certificate that lives more than 24 hours after now (property)', async () => {
    // Prepare
    const start = Date.UTC(2020, 0, 1);
    const longCa = await createCaCertificate({
      signer,
      commonName: 'Long CA',
      now: start,
      lifetimeMs: 20 * YEAR,
    });

    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: start, max: start + 19 * YEAR }),
        fc.option(fc.integer({ min: 0, max: 3 * 24 * HOUR }), { nil: undefined }),
        async (at, lifetimeMs) => {
          // Act
          let result: IssuedCertificate | undefined;
          try {
            result = await issueAgentCertificate({
              csr: csrPem,
              agentId: 'prop-agent',
              signer,
              caCertificate: longCa.certificateDer,
              now: at,
              lifetimeMs,
            });
          } catch (error) {
            // Assess: only a lifetime outside [1 min, 24 h] may be refused, and then with the right code.
            expect(lifetimeMs).toBeDefined();
            expect(lifetimeMs! > 24 * HOUR || lifetimeMs! < 60_000).toBe(true);
            expect(error).toMatchObject({ code: 'certificate_lifetime_invalid' });
            return;
          }
          // Assess: what the certificate itself says, read by node:crypto's own parser.
          const parsed = new X509Certificate(result.certificateDer);
          const notAfter = parsed.validToDate.getTime();
          expect(notAfter - at).toBeLessThanOrEqual(24 * HOUR);
          expect(notAfter).toBe(result.notAfter);
          expect(parsed.validFromDate.getTime()).toBeLessThanOrEqual(at);
          expect(parsed.checkIssued(new X509Certificate(longCa.certificateDer))).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
