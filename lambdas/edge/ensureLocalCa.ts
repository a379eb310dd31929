import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { FileCertificateSigner } from '../adapters/local/FileCertificateSigner.ts';
import type { CertificateSigner } from '../core/identity/CertificateSigner.ts';
import { createCaCertificate } from '../core/identity/createCaCertificate.ts';
import type { KeyCustody } from '../core/ports.ts';

/** The local issuing CA lives ten years; the certificates it issues live 24 h. */
const CA_LIFETIME_MS = 10 * 365 * 24 * 3600_000;

/** Loads the local issuing CA (signer + certificate), creating both on first start. */
export async function ensureLocalCa(input: {
  custody: KeyCustody;
  keyPath: string;
  certificatePath: string;
  now: number;
}): Promise<{ signer: CertificateSigner; certificatePem: string }> {
  const fresh = !existsSync(input.keyPath);
  const signer = await FileCertificateSigner.loadOrCreate({ keyPath: input.keyPath, custody: input.custody });
  if (!fresh && existsSync(input.certificatePath)) {
    return { signer, certificatePem: readFileSync(input.certificatePath, 'utf8') };
  }
  const ca = await createCaCertificate({
    signer,
    commonName: 'ClawPulsar local agent CA',
    now: input.now,
    lifetimeMs: CA_LIFETIME_MS,
  });
  writeFileSync(input.certificatePath, ca.certificatePem, { mode: 0o644 });
  return { signer, certificatePem: ca.certificatePem };
}
