import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ClawPulsarError } from '../../lambdas/core/errors.ts';
import type { AgentPaths } from '../home/agentPaths.ts';

/** What the agent presents on the tunnel. */
export interface TlsCredentials {
  readonly keyPem: string;
  readonly certificatePem: string;
  readonly caChainPem: string;
  /** Validity of the certificate, ms since the epoch. */
  readonly notBefore: number;
  readonly notAfter: number;
}

export interface AgentCredentials {
  readonly tls: TlsCredentials;
  /** The CA that signs the broker's server certificate. */
  readonly serverCaPem: string;
  /** X25519 private key, 32 raw bytes. */
  readonly sealingPrivateKey: Uint8Array;
}

/**
 * Checks that `certificatePem` certifies the public half of `keyPem` and returns its validity.
 * Errors: `certificate_invalid`, `certificate_key_mismatch`.
 */
export function certificateForKey(
  certificatePem: string,
  keyPem: string,
): { notBefore: number; notAfter: number } {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch (cause) {
    throw new ClawPulsarError(
      'certificate_invalid',
      'The certificate is not a valid X.509 PEM',
      500,
      {},
      { cause },
    );
  }
  if (!certificate.checkPrivateKey(createPrivateKey(keyPem))) {
    throw new ClawPulsarError(
      'certificate_key_mismatch',
      'The certificate is not for this agent’s TLS key',
      500,
    );
  }
  return { notBefore: Date.parse(certificate.validFrom), notAfter: Date.parse(certificate.validTo) };
}

/**
 * Reads the agent's keys and certificates from its home directory. Refuses private key files that other
 * local users could read, as ssh does. Errors: `not_registered`, `key_file_exposed`, and those of
 * `certificateForKey`.
 *
 * @example
 * const credentials = loadAgentCredentials(agentPaths(dir));
 */
export function loadAgentCredentials(paths: AgentPaths): AgentCredentials {
  const keyPem = readPrivate(paths.tlsKey);
  const sealing = readPrivate(paths.sealingKey).trim();
  const certificatePem = read(paths.certificate);
  const sealingPrivateKey = new Uint8Array(Buffer.from(sealing, 'base64url'));
  if (sealingPrivateKey.byteLength !== 32) {
    throw new ClawPulsarError(
      'sealing_key_invalid',
      `${paths.sealingKey} does not hold a 32-byte X25519 key`,
      500,
    );
  }
  return {
    tls: {
      keyPem,
      certificatePem,
      caChainPem: read(paths.caChain),
      ...certificateForKey(certificatePem, keyPem),
    },
    serverCaPem: read(paths.serverCa),
    sealingPrivateKey,
  };
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ClawPulsarError(
        'not_registered',
        `${path} is missing: register this agent first with \`clawpulsar agent register --edge URL --token T\``,
        400,
        { path },
      );
    }
    throw cause;
  }
}

function readPrivate(path: string): string {
  const text = read(path);
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new ClawPulsarError(
      'key_file_exposed',
      `${path} is readable by other users; run \`chmod 600 ${path}\``,
      400,
      {
        path,
      },
    );
  }
  return text;
}
