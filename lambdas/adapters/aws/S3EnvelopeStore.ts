import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ClawPulsarError } from '../../core/errors.ts';

/**
 * The claim-check store for envelopes too large for an SQS message: sealed bytes (ciphertext only) as S3
 * objects under `envelopes/{agentId}/{envelopeId}`, encrypted again at rest with the stack's KMS key
 * (SSE-KMS, S3 Bucket Key on). The bucket's lifecycle rule removes leftovers after 4 days.
 *
 * @example
 * const store = new S3EnvelopeStore(s3, env.ENVELOPE_BUCKET, env.DATA_KEY_ARN);
 */
export class S3EnvelopeStore {
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #kmsKeyId: string | undefined;

  /** `kmsKeyId` is needed only to write (the ingress); readers pass none. */
  constructor(s3: S3Client, bucket: string, kmsKeyId?: string) {
    this.#s3 = s3;
    this.#bucket = bucket;
    this.#kmsKeyId = kmsKeyId;
  }

  async put(key: string, sealed: Uint8Array): Promise<void> {
    if (!this.#kmsKeyId)
      throw new ClawPulsarError('claim_check_read_only', 'This store was opened to read', 500);
    await this.#s3.send(
      new PutObjectCommand({
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
    const { Body: body } = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
    if (!body)
      throw new ClawPulsarError('claim_check_empty', 'The envelope object has no body', 500, { key });
    return body.transformToByteArray();
  }

  /** Deleting a missing object succeeds in S3, so this is idempotent. */
  async delete(key: string): Promise<void> {
    await this.#s3.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
  }
}
