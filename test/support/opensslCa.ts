import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Certificates made by the openssl command line, not by our code: an outside witness for anything that
 * checks certificates (the tunnel broker, the agent's TLS client). Each CA lives in its own temp dir.
 */

/** A P-256 certificate authority on disk. */
export interface TestCa {
  readonly dir: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/** A certificate and its key, as PEM and as files (for command-line clients). */
export interface TestCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Lower-case hex, without a sign byte. */
  readonly serialNumber: string;
  /** Milliseconds since the epoch, whole seconds. */
  readonly notBefore: number;
  readonly notAfter: number;
}

export interface ClientCertificateOptions {
  /** Default: 5 minutes ago. */
  readonly notBefore?: number;
  /** Default: 23 hours from now (within the 24 h agent policy). */
  readonly notAfter?: number;
  /** Valid from now for this many days (overrides notAfter). */
  readonly days?: number;
  /** Valid 2 h ago until 1 h ago. */
  readonly expired?: boolean;
  /** The subject CN; default the agent id. */
  readonly commonName?: string;
  /** The URI SAN; default `urn:clawpulsar:agent:<agentId>`; null for none. */
  readonly uri?: string | null;
}

const HOUR_MS = 3_600_000;

let sequence = 0;

/**
 * A fresh self-signed P-256 CA valid from yesterday for ten days.
 *
 * @example
 * const ca = makeCa('Test CA');
 */
export function makeCa(commonName = 'ClawPulsar Test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'clawpulsar-ca-'));
  mkdirSync(join(dir, 'issued'));
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'ca.cnf'), caConfig(dir));
  const keyPath = join(dir, 'ca.key');
  const certPath = join(dir, 'ca.pem');
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath]);
  const csrPath = join(dir, 'ca.csr');
  openssl(dir, [
    'req',
    '-new',
    '-config',
    'ca.cnf',
    '-key',
    keyPath,
    '-subj',
    `/CN=${commonName}`,
    '-out',
    csrPath,
  ]);
  writeFileSync(join(dir, 'serial'), '01\n');
  const now = Date.now();
  signWith(dir, [
    '-selfsign',
    '-keyfile',
    keyPath,
    '-in',
    csrPath,
    '-out',
    certPath,
    '-extensions',
    'ca_ext',
    ...validity(now - 24 * HOUR_MS, now + 240 * HOUR_MS),
  ]);
  return {
    dir,
    certPath,
    keyPath,
    certPem: readFileSync(certPath, 'utf8'),
    keyPem: readFileSync(keyPath, 'utf8'),
  };
}

/**
 * An agent client certificate shaped as the edge's CA issues them (P-256, CN and URI SAN naming the
 * agent, clientAuth), with overridable validity, CN and SAN to make bad ones.
 *
 * @example
 * const expired = issueClient(ca, 'laptop', { expired: true });
 */
export function issueClient(
  ca: TestCa,
  agentId: string,
  options: ClientCertificateOptions = {},
): TestCertificate {
  const now = Date.now();
  let notBefore = options.notBefore ?? now - 5 * 60_000;
  let notAfter = options.notAfter ?? now + 23 * HOUR_MS;
  if (options.days !== undefined) notAfter = now + options.days * 24 * HOUR_MS;
  if (options.expired) {
    notBefore = now - 2 * HOUR_MS;
    notAfter = now - HOUR_MS;
  }
  const uri = options.uri === undefined ? `urn:clawpulsar:agent:${agentId}` : options.uri;
  const extensions = [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = clientAuth',
    ...(uri === null ? [] : [`subjectAltName = URI:${uri}`]),
  ];
  return issue(ca, `client-${agentId}`, options.commonName ?? agentId, extensions, notBefore, notAfter);
}

/**
 * A server certificate for the broker, with DNS and IP SANs for `hosts`.
 *
 * @example
 * const server = issueServer(ca, ['127.0.0.1', 'localhost']);
 */
export function issueServer(ca: TestCa, hosts: readonly string[]): TestCertificate {
  const now = Date.now();
  const names = hosts.map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`));
  return issue(
    ca,
    'server',
    hosts[0] ?? 'localhost',
    [
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = ${names.join(', ')}`,
    ],
    now - HOUR_MS,
    now + 48 * HOUR_MS,
  );
}

/** Deletes the CA's directory and everything issued from it. */
export function removeCa(ca: TestCa): void {
  rmSync(ca.dir, { recursive: true, force: true });
}

function issue(
  ca: TestCa,
  label: string,
  commonName: string,
  extensions: readonly string[],
  notBefore: number,
  notAfter: number,
): TestCertificate {
  const name = `${label}-${++sequence}`;
  const keyPath = join(ca.dir, `${name}.key`);
  const csrPath = join(ca.dir, `${name}.csr`);
  const certPath = join(ca.dir, `${name}.pem`);
  const extPath = join(ca.dir, `${name}.ext`);
  openssl(ca.dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyPath]);
  openssl(ca.dir, [
    'req',
    '-new',
    '-config',
    'ca.cnf',
    '-key',
    keyPath,
    '-subj',
    `/CN=${commonName}`,
    '-out',
    csrPath,
  ]);
  writeFileSync(extPath, `[ext]\n${extensions.join('\n')}\n`);
  // Our CA's serials: 16 random bytes, positive and minimal; the serial file makes openssl use one.
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  writeFileSync(join(ca.dir, 'serial'), `${serial.toString('hex').toUpperCase()}\n`);
  signWith(ca.dir, [
    '-cert',
    ca.certPath,
    '-keyfile',
    ca.keyPath,
    '-in',
    csrPath,
    '-out',
    certPath,
    '-extfile',
    extPath,
    '-extensions',
    'ext',
    ...validity(notBefore, notAfter),
  ]);
  return {
    certPath,
    keyPath,
    certPem: readFileSync(certPath, 'utf8'),
    keyPem: readFileSync(keyPath, 'utf8'),
    serialNumber: serial.toString('hex'),
    notBefore: Math.floor(notBefore / 1000) * 1000,
    notAfter: Math.floor(notAfter / 1000) * 1000,
  };
}

function signWith(dir: string, args: readonly string[]): void {
  openssl(dir, ['ca', '-batch', '-notext', '-config', 'ca.cnf', '-md', 'sha256', ...args]);
}

function validity(notBefore: number, notAfter: number): string[] {
  return ['-startdate', asn1Time(notBefore), '-enddate', asn1Time(notAfter)];
}

/** GeneralizedTime, as `openssl ca -startdate/-enddate` accept it. */
function asn1Time(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function openssl(cwd: string, args: readonly string[]): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr}`);
  }
}

function caConfig(dir: string): string {
  return `[ ca ]
default_ca = test_ca

[ test_ca ]
dir = ${dir}
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[ policy_any ]
commonName = supplied

[ req ]
distinguished_name = dn
prompt = no

[ dn ]
CN = unused

[ ca_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;
}
