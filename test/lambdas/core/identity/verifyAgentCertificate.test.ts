import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentCertificateRejectedError } from '../../../../lambdas/core/identity/AgentCertificateRejectedError.ts';
import { issueAgentCertificate } from '../../../../lambdas/core/identity/issueAgentCertificate.ts';
import { verifyAgentCertificate } from '../../../../lambdas/core/identity/verifyAgentCertificate.ts';
import { OpenSslWorkspace } from '../../../support/openssl.ts';
import { AGENT_PROFILE, type CaFixture, caFixture, opensslIssue } from './support/caFixture.ts';

const HOUR = 60 * 60 * 1000;

function rejection(attempt: () => unknown): string | undefined {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(AgentCertificateRejectedError);
    expect(error).toMatchObject({ code: 'agent_certificate_rejected', status: 401 });
    return (error as AgentCertificateRejectedError).reason;
  }
  return undefined;
}

describe('verifyAgentCertificate', () => {
  const ssl = new OpenSslWorkspace();
  const now = Date.now();
  let fixture: CaFixture;
  let csrPem: string;

  beforeAll(async () => {
    fixture = await caFixture(ssl, 'ca');
    csrPem = ssl.csr('agent');
  });
  afterAll(() => ssl.remove());

  function issueWithOpenssl(
    name: string,
    options: { subject?: string; extensions?: readonly string[]; days?: number } = {},
  ) {
    return opensslIssue(ssl, fixture, { name, csrFile: 'agent.csr', ...options });
  }

  function verifyAt(certificate: Uint8Array | string, at = now) {
    return verifyAgentCertificate({ certificate, caCertificate: fixture.ca.certificatePem, now: at });
  }

  it('accepts a certificate we issued and returns the agent, serial and validity', async () => {
    // Prepare
    const issued = await issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer: fixture.signer,
      caCertificate: fixture.ca.certificateDer,
      now,
    });

    // Act
    const fromDer = verifyAt(issued.certificateDer);
    const fromPem = verifyAt(issued.certificatePem);

    // Assess
    expect(fromDer).toEqual({
      agentId: 'laptop-1',
      serialNumber: issued.serialNumber,
      notBefore: issued.notBefore,
      notAfter: issued.notAfter,
    });
    expect(fromPem).toEqual(fromDer);
  });

  it('accepts a certificate openssl signed with the same CA to the same profile', () => {
    // Prepare
    const der = issueWithOpenssl('openssl-good');

    // Act
    const result = verifyAt(der, now + 60_000);

    // Assess
    expect(result.agentId).toBe('laptop-1');
  });

  it('rejects an expired certificate and one not yet valid', async () => {
    // Prepare
    const issued = await issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer: fixture.signer,
      caCertificate: fixture.ca.certificateDer,
      now,
    });

    // Act + Assess
    expect(rejection(() => verifyAt(issued.certificateDer, issued.notAfter + 1000))).toBe('expired');
    expect(rejection(() => verifyAt(issued.certificateDer, now - 10 * 60_000))).toBe('not_yet_valid');
    expect(verifyAt(issued.certificateDer, issued.notAfter).agentId).toBe('laptop-1');
  });

  it('rejects a certificate from a different CA, even one with the same name', async () => {
    // Prepare
    const sameName = await caFixture(ssl, 'same-name-ca');
    const otherName = await caFixture(ssl, 'other-name-ca', { commonName: 'Someone else' });
    const fromSameName = await issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer: sameName.signer,
      caCertificate: sameName.ca.certificateDer,
      now,
    });
    const fromOtherName = await issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer: otherName.signer,
      caCertificate: otherName.ca.certificateDer,
      now,
    });

    // Act + Assess
    expect(rejection(() => verifyAt(fromSameName.certificateDer))).toBe('bad_signature');
    expect(rejection(() => verifyAt(fromOtherName.certificateDer))).toBe('foreign_issuer');
  });

  it('judges each call against the CA it is given, switching back and forth', async () => {
    // Prepare
    const other = await caFixture(ssl, 'switch-ca');
    const issued = await issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer: fixture.signer,
      caCertificate: fixture.ca.certificateDer,
      now,
    });
    const verifyWith = (caCertificate: Uint8Array) => () =>
      verifyAgentCertificate({ certificate: issued.certificateDer, caCertificate, now });

    // Act + Assess
    expect(verifyWith(fixture.ca.certificateDer)().agentId).toBe('laptop-1');
    expect(rejection(verifyWith(other.ca.certificateDer))).toBe('bad_signature');
    expect(verifyWith(new Uint8Array(fixture.ca.certificateDer))().agentId).toBe('laptop-1');
    expect(rejection(verifyWith(other.ca.certificateDer))).toBe('bad_signature');
  });

  it('rejects a certificate that lives longer than 24 hours even though our CA signed it', () => {
    expect(rejection(() => verifyAt(issueWithOpenssl('two-days', { days: 2 }), now + 60_000))).toBe(
      'lifetime_exceeds_policy',
    );
  });

  it.each([
    [
      'a CA certificate',
      [
        'basicConstraints=critical,CA:TRUE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=clientAuth',
        'subjectAltName=URI:urn:clawpulsar:agent:laptop-1',
      ],
    ],
    [
      'a server certificate',
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        'subjectAltName=URI:urn:clawpulsar:agent:laptop-1',
      ],
    ],
    [
      'no key usage',
      [
        'basicConstraints=critical,CA:FALSE',
        'extendedKeyUsage=clientAuth',
        'subjectAltName=URI:urn:clawpulsar:agent:laptop-1',
      ],
    ],
    [
      'no basic constraints',
      [
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=clientAuth',
        'subjectAltName=URI:urn:clawpulsar:agent:laptop-1',
      ],
    ],
    [
      'key usage without digitalSignature',
      [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,keyAgreement',
        'extendedKeyUsage=clientAuth',
        'subjectAltName=URI:urn:clawpulsar:agent:laptop-1',
      ],
    ],
  ])('rejects %s as not a client certificate', (_label, extensions) => {
    expect(
      rejection(() =>
        verifyAt(issueWithOpenssl(`client-${_label.replace(/ /g, '-')}`, { extensions }), now + 60_000),
      ),
    ).toBe('not_client_certificate');
  });

  it('rejects a certificate with a critical extension it does not understand', () => {
    const der = issueWithOpenssl('unknown-critical', {
      extensions: [...AGENT_PROFILE, '1.2.3.4=critical,ASN1:NULL'],
    });
    expect(rejection(() => verifyAt(der, now + 60_000))).toBe('unknown_critical_extension');
  });

  it('rejects a certificate whose CN and URI SAN disagree', () => {
    expect(
      rejection(() => verifyAt(issueWithOpenssl('cn-other', { subject: '/CN=someone-else' }), now + 60_000)),
    ).toBe('identity_mismatch');
  });

  it('rejects a key that is not P-256 even in an otherwise perfect certificate', () => {
    // Prepare
    ssl.csr('p384-agent', 'p384');

    // Act
    const der = opensslIssue(ssl, fixture, { name: 'p384', csrFile: 'p384-agent.csr' });

    // Assess
    expect(rejection(() => verifyAt(der, now + 60_000))).toBe('key_unsupported');
  });

  it('rejects an agent certificate while the CA itself is not yet valid', async () => {
    // Prepare
    const futureCa = await caFixture(ssl, 'future-ca', { now: now + 2 * HOUR });
    const der = opensslIssue(ssl, futureCa, { name: 'under-future-ca', csrFile: 'agent.csr' });

    // Act + Assess
    expect(
      rejection(() =>
        verifyAgentCertificate({
          certificate: der,
          caCertificate: futureCa.ca.certificateDer,
          now: now + 60_000,
        }),
      ),
    ).toBe('ca_not_valid');
  });

  it('rejects a tampered certificate', async () => {
    // Prepare: change the agent id inside both CN and SAN ("laptop-1" → "laptop-2").
    const issued = await issueAgentCertificate({
      csr: csrPem,
      agentId: 'laptop-1',
      signer: fixture.signer,
      caCertificate: fixture.ca.certificateDer,
      now,
    });
    const tampered = Buffer.from(issued.certificateDer);
    for (let at = tampered.indexOf('laptop-1'); at !== -1; at = tampered.indexOf('laptop-1', at + 1))
      tampered[at + 7] = 0x32;

    // Act + Assess
    expect(rejection(() => verifyAt(new Uint8Array(tampered)))).toBe('bad_signature');
  });

  it.each([
    ['garbage', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00])],
    ['empty', new Uint8Array(0)],
    ['a CSR instead of a certificate', 'csr'],
    ['oversized input', new Uint8Array(100_000)],
  ])('rejects %s as malformed', (_label, input) => {
    const certificate = input === 'csr' ? csrPem : input;
    expect(rejection(() => verifyAt(certificate))).toBe('malformed');
  });
});
