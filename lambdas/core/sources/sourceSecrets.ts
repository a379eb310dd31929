import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { KeyCustody } from '../ports.ts';

const sealedSecretsSchema = z.object({
  secrets: z.array(z.string().min(1)).min(1),
  verifyToken: z.string().optional(),
});
export type SourceSecrets = z.infer<typeof sealedSecretsSchema>;

/** The KeyCustody encryption context of a source's secrets: ids only, never secrets. */
export function sourceSecretsContext(agentId: string, sourceId: string): Record<string, string> {
  return { purpose: 'source-secrets', agentId, sourceId };
}

/**
 * Encrypts a source's secrets for storage. The ciphertext is bound to the (agent, source) pair, so it
 * can't be copied onto another source.
 */
export async function encryptSourceSecrets(
  custody: KeyCustody,
  agentId: string,
  sourceId: string,
  secrets: SourceSecrets,
): Promise<Uint8Array> {
  const plaintext = Buffer.from(JSON.stringify(secrets), 'utf8');
  try {
    return await custody.encrypt(plaintext, sourceSecretsContext(agentId, sourceId));
  } finally {
    plaintext.fill(0);
  }
}

/** Decrypts a source's secrets into memory for one verification (or a short cache). */
export async function decryptSourceSecrets(
  custody: KeyCustody,
  agentId: string,
  sourceId: string,
  ciphertext: Uint8Array,
): Promise<SourceSecrets> {
  const plaintext = await custody.decrypt(ciphertext, sourceSecretsContext(agentId, sourceId));
  try {
    return sealedSecretsSchema.parse(JSON.parse(Buffer.from(plaintext).toString('utf8')));
  } finally {
    plaintext.fill(0);
  }
}

/**
 * A short fingerprint that tells secrets apart in listings without revealing them.
 *
 * @example
 * fingerprintSecret('whsec_abc'); // 'sha256:9f2c…' (8 hex characters)
 */
export function fingerprintSecret(secret: string): string {
  return `sha256:${createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 8)}`;
}
