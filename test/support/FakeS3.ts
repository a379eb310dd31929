import {
  type DeleteObjectCommandInput,
  type GetObjectCommandInput,
  NoSuchKey,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';

export interface StoredObject {
  readonly body: Buffer;
  readonly serverSideEncryption?: string;
  readonly kmsKeyId?: string;
}

/**
 * An S3 bucket in process: PutObject (recording the server-side encryption asked for), GetObject
 * (NoSuchKey when absent) and DeleteObject (which, like S3, succeeds for a missing key).
 */
export class FakeS3 {
  readonly objects = new Map<string, StoredObject>();
  readonly puts: PutObjectCommandInput[] = [];

  putObject(input: PutObjectCommandInput) {
    this.puts.push(input);
    this.objects.set(`${input.Bucket}/${input.Key}`, {
      body: Buffer.from(input.Body as Uint8Array),
      ...(input.ServerSideEncryption ? { serverSideEncryption: input.ServerSideEncryption } : {}),
      ...(input.SSEKMSKeyId ? { kmsKeyId: input.SSEKMSKeyId } : {}),
    });
    return { ETag: '"etag"' };
  }

  getObject(input: GetObjectCommandInput) {
    const object = this.objects.get(`${input.Bucket}/${input.Key}`);
    if (!object) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
    const bytes = new Uint8Array(object.body);
    return { Body: { transformToByteArray: async () => bytes }, ContentLength: bytes.byteLength };
  }

  deleteObject(input: DeleteObjectCommandInput) {
    this.objects.delete(`${input.Bucket}/${input.Key}`);
    return {};
  }
}
