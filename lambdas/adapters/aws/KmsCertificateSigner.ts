import { createHash } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import * as z from 'zod';
import { ClawPulsarError, UnavailableError } from '../../core/errors.ts';
import type { CertificateSigner } from '../../core/identity/CertificateSigner.ts';
import { importP256PublicKey } from '../../core/identity/importP256PublicKey.ts';

const SIGNING_ALGORITHM = 'ECDSA_SHA_256';

const publicKeyResponse = z.object({
  KeyId: z.string().min(1),
  PublicKey: z.instanceof(Uint8Array),
  KeySpec: z.literal('ECC_NIST_P256'),
  KeyUsage: z.literal('SIGN_VERIFY'),
  SigningAlgorithms: z.array(z.string()).refine((algorithms) => algorithms.includes(SIGNING_ALGORITHM)),
});

const signResponse = z.object({
  Signature: z.instanceof(Uint8Array),
  SigningAlgorithm: z.literal(SIGNING_ALGORITHM),
});

// Faults worth a retry: KMS overloaded or briefly unable to reach the key, per the Sign API's errors.
const TRANSIENT = new Set([
  'ThrottlingException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
]);

/**
 * The issuing CA's signer in AWS: an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) whose private half
 * never leaves KMS. Sign takes at most 4096 bytes of raw message, and a TBSCertificate can grow past
 * that, so we always send the SHA-256 digest with MessageType DIGEST; KMS then signs it without hashing
 * again, which is exactly ecdsa-with-SHA256 over the TBS. The signature comes back DER-encoded
 * (RFC 3279 §2.2.3), as certificates need it.
 *
 * @example
 * const signer = await KmsCertificateSigner.create({ client: new KMSClient({}), keyId: 'alias/clawpulsar-agent-ca' });
 */
export class KmsCertificateSigner implements CertificateSigner {
  readonly publicKeySpki: Uint8Array;
  /** The key ARN KMS resolved `keyId` to; every Sign names it, so a re-pointed alias can't swap keys. */
  readonly keyArn: string;
  readonly #client: KMSClient;

  private constructor(client: KMSClient, keyArn: string, publicKeySpki: Uint8Array) {
    this.#client = client;
    this.keyArn = keyArn;
    this.publicKeySpki = publicKeySpki;
  }

  /**
   * Reads the key's public half and checks it is a P-256 signing key. Errors: 500
   * `signing_key_unsupported` (wrong spec, usage or algorithm), `signing_key_refused` (e.g. access
   * denied, disabled); 503 `key_service_unavailable` (retry).
   */
  static async create(input: { client: KMSClient; keyId: string }): Promise<KmsCertificateSigner> {
    const response = await call('GetPublicKey', () =>
      input.client.send(new GetPublicKeyCommand({ KeyId: input.keyId })),
    );
    const parsed = publicKeyResponse.safeParse(response);
    if (!parsed.success) {
      throw new ClawPulsarError(
        'signing_key_unsupported',
        'The KMS key is not an ECC_NIST_P256 signing key',
        500,
        {
          keyId: input.keyId,
        },
      );
    }
    const key = importP256PublicKey(parsed.data.PublicKey);
    if ('rejection' in key) {
      throw new ClawPulsarError('signing_key_unsupported', 'The KMS public key is not an EC P-256 key', 500, {
        keyId: input.keyId,
        rejection: key.rejection,
      });
    }
    return new KmsCertificateSigner(input.client, parsed.data.KeyId, key.spki);
  }

  async sign(tbs: Uint8Array): Promise<Uint8Array> {
    const digest = createHash('sha256').update(tbs).digest();
    const response = await call('Sign', () =>
      this.#client.send(
        new SignCommand({
          KeyId: this.keyArn,
          Message: digest,
          MessageType: 'DIGEST',
          SigningAlgorithm: SIGNING_ALGORITHM,
        }),
      ),
    );
    const parsed = signResponse.safeParse(response);
    if (!parsed.success) {
      throw new ClawPulsarError('signing_key_refused', 'KMS Sign returned no ECDSA_SHA_256 signature', 500);
    }
    return parsed.data.Signature;
  }
}

async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (cause) {
    const name = cause instanceof Error ? cause.name : 'UnknownError';
    const metadata = (cause as { $metadata?: { httpStatusCode?: number } }).$metadata;
    if (TRANSIENT.has(name) || (metadata?.httpStatusCode ?? 0) >= 500) {
      throw new UnavailableError(
        'key_service_unavailable',
        `KMS ${operation} failed (${name}); retry later`,
        {
          cause,
        },
      );
    }
    throw new ClawPulsarError(
      'signing_key_refused',
      `KMS ${operation} was refused (${name})`,
      500,
      { operation, error: name },
      {
        cause,
      },
    );
  }
}
