import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  type BrokerCertificate,
  createBrokerCertificate,
} from '../adapters/local/createBrokerCertificate.ts';
import type { KeyCustody } from '../core/ports.ts';

const CONTEXT = { purpose: 'broker-tls-key' };
/** Renewed when less than this is left, so agents never see it expire. */
const RENEW_BEFORE_MS = 30 * 24 * 3600_000;

/**
 * Loads the broker's TLS certificate and key (the key encrypted by KeyCustody at rest), creating or
 * renewing them when missing, near expiry or not covering `hosts`.
 */
export async function ensureBrokerCertificate(input: {
  custody: KeyCustody;
  keyPath: string;
  certificatePath: string;
  hosts: readonly string[];
  now: number;
}): Promise<BrokerCertificate> {
  if (existsSync(input.keyPath) && existsSync(input.certificatePath)) {
    const certificatePem = readFileSync(input.certificatePath, 'utf8');
    const cert = new X509Certificate(certificatePem);
    const notAfter = Date.parse(cert.validTo);
    const covers = input.hosts.every((h) => cert.checkHost(h) !== undefined || cert.checkIP(h) !== undefined);
    if (notAfter - input.now > RENEW_BEFORE_MS && covers) {
      const key = await input.custody.decrypt(readFileSync(input.keyPath), CONTEXT);
      return { certificatePem, privateKeyPem: Buffer.from(key).toString('utf8'), notAfter };
    }
  }
  const created = await createBrokerCertificate(input.hosts, input.now);
  const sealed = await input.custody.encrypt(Buffer.from(created.privateKeyPem, 'utf8'), CONTEXT);
  writeFileSync(input.keyPath, sealed, { mode: 0o600 });
  writeFileSync(input.certificatePath, created.certificatePem, { mode: 0o644 });
  return created;
}
