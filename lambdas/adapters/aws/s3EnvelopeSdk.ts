/**
 * The part of the S3 SDK the claim-check store uses, in a module of its own so that S3EnvelopeStore can
 * load it on first use: a dynamic import of the SDK package itself would keep every S3 command in the
 * bundle, this one keeps three.
 */
export { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
