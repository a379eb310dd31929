/**
 * Memoises an async initialiser for the life of the Lambda container (KMS public key, CA certificate),
 * retrying on the next call if it failed rather than caching the failure.
 *
 * @example
 * const signer = once(() => KmsCertificateSigner.create({ client: kms, keyId }));
 * await signer();
 */
export function once<T>(init: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= init().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
