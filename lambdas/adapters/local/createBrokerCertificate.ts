import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/** The broker's TLS certificate is renewed well before it runs out; a year is plenty for a loopback broker. */
const LIFETIME_MS = 365 * 24 * 3600_000;

export interface BrokerCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly notAfter: number;
}

/**
 * Creates the local broker's self-signed server certificate (P-256, serverAuth, SANs for the host names
 * agents connect to). It is its own trust anchor: agents pin it as the tunnel's server CA, apart from the
 * CA that issues agent client certificates.
 *
 * @example
 * const cert = await createBrokerCertificate(['localhost', '127.0.0.1'], Date.now());
 */
export async function createBrokerCertificate(
  hosts: readonly string[],
  now: number,
): Promise<BrokerCertificate> {
  x509.cryptoProvider.set(webcrypto as Crypto);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const names = hosts.map((h) =>
    /^[\d.]+$|:/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h },
  );
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    name: 'CN=ClawPulsar local edge broker',
    notBefore: new Date(now - 5 * 60_000),
    notAfter: new Date(now + LIFETIME_MS),
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyCertSign, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    notAfter: now + LIFETIME_MS,
  };
}
