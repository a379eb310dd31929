import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { ClawPulsarError } from '../../core/errors.ts';

type S3Sdk = typeof import('./s3EnvelopeSdk.ts');

/** The S3 client with the SDK module it came from (the commands are classes of that module). */
interface LoadedS3 {
  readonly sdk: S3Sdk;
  readonly client: S3Client;
}

/**
 * The claim-check store for envelopes too large for an SQS message: sealed bytes (ciphertext only) as S3
 * objects under `envelopes/{agentId}/{envelopeId}`, encrypted again at rest with the stack's KMS key
 * (SSE-KMS, S3 Bucket Key on). The bucket's lifecycle rule removes leftovers after 4 days.
 *
 * The S3 SDK is loaded on the first claim check, not with the function: most envelopes travel inline,
 * and the S3 client is the largest of the SDK clients the envelope functions bundle, so loading it at
 * start would lengthen every cold start for a path few invocations take.
 *
 * @example
 * const store = new S3EnvelopeStore(env.ENVELOPE_BUCKET, env.DATA_KEY_ARN);
 */
export class S3EnvelopeStore {
  readonly #bucket: string;
  readonly #kmsKeyId: string | undefined;
  readonly #config: S3ClientConfig;
  #loaded: Promise<LoadedS3> | undefined;

  /** `kmsKeyId` is needed only to write (the ingress); readers pass none. */
  constructor(bucket: string, kmsKeyId?: string, config: S3ClientConfig = {}) {
    this.#bucket = bucket;
    this.#kmsKeyId = kmsKeyId;
    this.#config = config;
  }

  async put(key: string, sealed: Uint8Array): Promise<void> {
    if (!this.#kmsKeyId)
      throw new ClawPulsarError('claim_check_read_only', 'This store was opened to read', 500);
    const { sdk, client } = await this.#s3();
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.#bucket,
        Key: key,
        Body: sealed,
        ContentType: 'application/octet-stream',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: this.#kmsKeyId,
        BucketKeyEnabled: true,
      }),
    );
  }

  async get(key: string): Promise<Uint8Array> {
    const { sdk, client } = await this.#s3();
    const { Body: body } = await client.send(new sdk.GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    if (!body)
      throw new ClawPulsarError('claim_check_empty', 'The envelope object has no body', 500, { key });
    return body.transformToByteArray();
  }

  /** Deleting a missing object succeeds in S3, so this is idempotent. */
  async delete(key: string): Promise<void> {
    const { sdk, client } = await this.#s3();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }

  /** One client per store, created on first use; a failed load is retried by the next call. */
  #s3(): Promise<LoadedS3> {
    this.#loaded ??= import('./s3EnvelopeSdk.ts').then(
      (sdk) => ({ sdk, client: new sdk.S3Client(this.#config) }),
      (error: unknown) => {
        this.#loaded = undefined;
        throw error;
      },
    );
    return this.#loaded;
  }
}
