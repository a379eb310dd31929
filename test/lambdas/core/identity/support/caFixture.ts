import { createCaCertificate } from '../../../../../lambdas/core/identity/createCaCertificate.ts';
import type { IssuedCertificate } from '../../../../../lambdas/core/identity/signCertificate.ts';
import type { OpenSslWorkspace } from '../../../../support/openssl.ts';
import { testSigner } from './testSigner.ts';

/** The agent-certificate profile, written as openssl extension settings. */
export const AGENT_PROFILE = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=clientAuth',
  'subjectAltName=URI:urn:clawpulsar:agent:laptop-1',
];

export interface CaFixture {
  readonly signer: ReturnType<typeof testSigner>;
  readonly ca: IssuedCertificate;
  /** File names inside the workspace. */
  readonly certFile: string;
  readonly keyFile: string;
}

/**
 * A CA made by createCaCertificate, with its key also written for openssl (test-only), so openssl can
 * sign certificates that bend one rule at a time.
 */
export async function caFixture(
  ssl: OpenSslWorkspace,
  name: string,
  options: { readonly now?: number; readonly commonName?: string } = {},
): Promise<CaFixture> {
  const signer = testSigner();
  const ca = await createCaCertificate({
    signer,
    commonName: options.commonName ?? 'ClawPulsar test CA',
    now: options.now ?? Date.now(),
    lifetimeMs: 365 * 24 * 60 * 60 * 1000,
  });
  const certFile = `${name}.pem`;
  const keyFile = `${name}.key`;
  ssl.write(certFile, ca.certificatePem);
  ssl.write(keyFile, signer.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { signer, ca, certFile, keyFile };
}

/** Has openssl sign `csrFile` with the fixture CA, with the given subject, extensions and days. */
export function opensslIssue(
  ssl: OpenSslWorkspace,
  fixture: CaFixture,
  options: {
    readonly name: string;
    readonly csrFile: string;
    readonly subject?: string;
    readonly extensions?: readonly string[];
    readonly days?: number;
  },
): Buffer {
  ssl.write(`${options.name}.cnf`, `[v3]\n${(options.extensions ?? AGENT_PROFILE).join('\n')}\n`);
  ssl.must([
    'x509',
    '-req',
    '-in',
    options.csrFile,
    '-CA',
    fixture.certFile,
    '-CAkey',
    fixture.keyFile,
    '-days',
    String(options.days ?? 1),
    '-subj',
    options.subject ?? '/CN=laptop-1',
    '-extfile',
    `${options.name}.cnf`,
    '-extensions',
    'v3',
    '-outform',
    'DER',
    '-out',
    `${options.name}.der`,
  ]);
  return ssl.read(`${options.name}.der`);
}
