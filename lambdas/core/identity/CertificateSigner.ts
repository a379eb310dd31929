/**
 * The issuing CA's private key, behind a port: in AWS it is a KMS asymmetric key (ECC_NIST_P256,
 * SIGN_VERIFY) that never leaves the HSM; on the local edge a P-256 key file kept encrypted by the
 * local KeyCustody. Certificate code only ever sees the public key and signatures.
 */
export interface CertificateSigner {
  /** DER SubjectPublicKeyInfo of the signing key (EC P-256). */
  readonly publicKeySpki: Uint8Array;
  /**
   * Signs `tbs` (the DER TBSCertificate) with ECDSA over SHA-256 and returns the DER ECDSA-Sig-Value
   * (RFC 3279 §2.2.3), which is what goes into the certificate's signature BIT STRING.
   */
  sign(tbs: Uint8Array): Promise<Uint8Array>;
}
