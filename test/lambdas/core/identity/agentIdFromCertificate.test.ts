import { AsnParser } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentCertificateRejectedError } from '../../../../lambdas/core/identity/AgentCertificateRejectedError.ts';
import { agentIdFromCertificate } from '../../../../lambdas/core/identity/agentIdFromCertificate.ts';
import { issueAgentCertificate } from '../../../../lambdas/core/identity/issueAgentCertificate.ts';
import { OpenSslWorkspace } from '../../../support/openssl.ts';
import { type CaFixture, caFixture, opensslIssue } from './support/caFixture.ts';

const BASE = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=clientAuth',
];

describe('agentIdFromCertificate', () => {
  const ssl = new OpenSslWorkspace();
  let fixture: CaFixture;

  beforeAll(async () => {
    fixture = await caFixture(ssl, 'ca');
    ssl.csr('agent');
  });
  afterAll(() => ssl.remove());

  function reasonFor(options: { subject?: string; extensions?: readonly string[] }): string | undefined {
    const der = opensslIssue(ssl, fixture, {
      name: `cert-${Math.random().toString(36).slice(2)}`,
      csrFile: 'agent.csr',
      ...options,
    });
    try {
      agentIdFromCertificate(new Uint8Array(der));
    } catch (error) {
      expect(error).toBeInstanceOf(AgentCertificateRejectedError);
      return (error as AgentCertificateRejectedError).reason;
    }
    return undefined;
  }

  it('reads the agent id from a certificate we issued, as DER or as a parsed certificate', async () => {
    // Prepare
    const issued = await issueAgentCertificate({
      csr: ssl.read('agent.csr').toString(),
      agentId: 'build-box-7',
      signer: fixture.signer,
      caCertificate: fixture.ca.certificatePem,
      now: Date.now(),
    });

    // Act
    const fromDer = agentIdFromCertificate(issued.certificateDer);
    const fromParsed = agentIdFromCertificate(AsnParser.parse(issued.certificateDer, Certificate));

    // Assess
    expect(fromDer).toBe('build-box-7');
    expect(fromParsed).toBe('build-box-7');
  });

  it('reads an openssl-made certificate with the same CN and URI SAN', () => {
    // Prepare
    const der = opensslIssue(ssl, fixture, {
      name: 'openssl-same',
      csrFile: 'agent.csr',
      subject: '/CN=laptop-1',
      extensions: [...BASE, 'subjectAltName=URI:urn:clawpulsar:agent:laptop-1'],
    });

    // Act + Assess
    expect(agentIdFromCertificate(new Uint8Array(der))).toBe('laptop-1');
  });

  it.each([
    [
      'a CN naming another agent than the SAN',
      '/CN=laptop-2',
      'URI:urn:clawpulsar:agent:laptop-1',
      'identity_mismatch',
    ],
    ['a SAN with another prefix', '/CN=laptop-1', 'URI:urn:other:agent:laptop-1', 'identity_mismatch'],
    [
      'a SAN carrying a topic wildcard',
      '/CN=laptop-1',
      'URI:urn:clawpulsar:agent:laptop-1/#',
      'identity_mismatch',
    ],
    ['a DNS SAN instead of a URI', '/CN=laptop-1', 'DNS:laptop-1', 'identity_invalid'],
    [
      'two SANs',
      '/CN=laptop-1',
      'URI:urn:clawpulsar:agent:laptop-1,URI:urn:clawpulsar:agent:laptop-2',
      'identity_invalid',
    ],
    [
      'an extra subject attribute',
      '/CN=laptop-1/O=Acme',
      'URI:urn:clawpulsar:agent:laptop-1',
      'identity_invalid',
    ],
    ['two CNs', '/CN=laptop-1/CN=laptop-2', 'URI:urn:clawpulsar:agent:laptop-1', 'identity_invalid'],
    [
      'a CN that is not a valid agent id',
      '/CN=Laptop_1',
      'URI:urn:clawpulsar:agent:Laptop_1',
      'identity_invalid',
    ],
  ])('fails closed on %s', (_label, subject, san, reason) => {
    expect(reasonFor({ subject, extensions: [...BASE, `subjectAltName=${san}`] })).toBe(reason);
  });

  it('fails closed when there is no SAN at all', () => {
    expect(reasonFor({ subject: '/CN=laptop-1', extensions: BASE })).toBe('identity_invalid');
  });

  it('fails closed on bytes that are not a certificate', () => {
    expect(() => agentIdFromCertificate(new Uint8Array([1, 2, 3]))).toThrow(
      expect.objectContaining({ code: 'agent_certificate_rejected', data: { reason: 'malformed' } }),
    );
  });
});
