import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { isIP } from 'node:net';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  BasicConstraints,
  ExtendedKeyUsage,
  GeneralName,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_kp_serverAuth,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
} from '@peculiar/asn1-x509';
import { certificateExtension } from '../../core/identity/certificateExtension.ts';
import { commonNameOnly } from '../../core/identity/commonName.ts';
import { signCertificate } from '../../core/identity/signCertificate.ts';

/** A year is plenty for a loopback broker; the edge renews it 30 days before. */
const LIFETIME_MS = 365 * 24 * 3600_000;

export interface BrokerCertificate {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly notAfter: number;
}

/**
 * Creates the local broker's self-signed TLS server certificate (P-256, serverAuth, SANs for the host
 * names agents connect to). It is its own trust anchor, which agents pin as the tunnel's server CA —
 * apart from the CA that issues agent client certificates.
 *
 * @example
 * const cert = await createBrokerCertificate(['localhost', '127.0.0.1'], Date.now());
 */
export async function createBrokerCertificate(
  hosts: readonly string[],
  now: number,
): Promise<BrokerCertificate> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const signer = {
    publicKeySpki: new Uint8Array(spki),
    sign: async (tbs: Uint8Array) => sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' }),
  };
  const name = commonNameOnly('ClawPulsar local edge broker');
  const altNames = hosts.map((h) =>
    isIP(h) ? new GeneralName({ iPAddress: h }) : new GeneralName({ dNSName: h }),
  );
  const issued = await signCertificate(
    {
      issuer: name,
      subject: name,
      notBefore: now - 5 * 60_000,
      notAfter: now + LIFETIME_MS,
      subjectPublicKeyInfo: AsnConvert.parse(spki, SubjectPublicKeyInfo),
      extensions: [
        certificateExtension(
          id_ce_basicConstraints,
          true,
          new BasicConstraints({ cA: true, pathLenConstraint: 0 }),
        ),
        certificateExtension(
          id_ce_keyUsage,
          true,
          new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyCertSign),
        ),
        certificateExtension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_serverAuth])),
        certificateExtension(id_ce_subjectAltName, false, new SubjectAlternativeName(altNames)),
      ],
    },
    signer,
  );
  return {
    certificatePem: issued.certificatePem,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    notAfter: issued.notAfter,
  };
}
