import { createPrivateKey, createPublicKey } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createTlsKeyAndCsr } from '../../../agent/credentials/createTlsKeyAndCsr.ts';
import { parseCertificateRequest } from '../../../lambdas/core/identity/parseCertificateRequest.ts';
import { OpenSslWorkspace } from '../../support/openssl.ts';

describe('createTlsKeyAndCsr', () => {
  const openssl = new OpenSslWorkspace();
  afterAll(() => openssl.remove());

  it('makes a CSR that openssl verifies, for a P-256 key, with the given common name', () => {
    // Act
    const { csrPem, privateKeyPem } = createTlsKeyAndCsr('laptop-agent');

    // Assess
    const csrPath = openssl.write('agent.csr', csrPem);
    const verified = openssl.run(['req', '-in', csrPath, '-verify', '-noout', '-subject']);
    expect(verified.status).toBe(0);
    expect(verified.stderr + verified.stdout).toContain('verify OK');
    expect(verified.stdout).toContain('CN = laptop-agent');
    const text = openssl.must(['req', '-in', csrPath, '-noout', '-text']);
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    const key = createPrivateKey(privateKeyPem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const csrKey = openssl.must(['req', '-in', csrPath, '-noout', '-pubkey']);
    expect(createPublicKey(csrKey).export({ format: 'der', type: 'spki' })).toEqual(
      createPublicKey(key).export({ format: 'der', type: 'spki' }),
    );
  });

  it('is accepted by the edge’s own CSR checks', () => {
    const { csrPem } = createTlsKeyAndCsr('laptop-agent');
    expect(() => parseCertificateRequest(csrPem)).not.toThrow();
  });

  it('makes a new key every time', () => {
    expect(createTlsKeyAndCsr('a').privateKeyPem).not.toBe(createTlsKeyAndCsr('a').privateKeyPem);
  });
});
