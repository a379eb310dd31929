import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestCa } from './opensslCa.ts';

export interface SignedAgentCertificate {
  readonly certificatePem: string;
  /** Lower-case hex, as the edge's CA records serials. */
  readonly serialNumber: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

let sequence = 0;

/**
 * Signs an agent's own CSR with the openssl command line (an outside witness, not our CA code), in the
 * shape the edge issues: subject CN = agent id, URI SAN `urn:clawpulsar:agent:<id>`, clientAuth,
 * CA:false. Only the CSR's key is used; validity defaults to 5 minutes ago until 23 h from now.
 *
 * @example
 * const issued = signAgentCsr(ca, csrPem, 'laptop', { notAfter: Date.now() + 120_000 });
 */
export function signAgentCsr(
  ca: TestCa,
  csrPem: string,
  agentId: string,
  validity: { notBefore?: number; notAfter?: number } = {},
): SignedAgentCertificate {
  const now = Date.now();
  const notBefore = validity.notBefore ?? now - 5 * 60_000;
  const notAfter = validity.notAfter ?? now + 23 * 3_600_000;
  const name = `agent-csr-${process.pid}-${++sequence}`;
  const csrPath = join(ca.dir, `${name}.csr`);
  const extPath = join(ca.dir, `${name}.ext`);
  const certPath = join(ca.dir, `${name}.pem`);
  writeFileSync(csrPath, csrPem);
  writeFileSync(
    extPath,
    [
      '[ext]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = clientAuth',
      `subjectAltName = URI:urn:clawpulsar:agent:${agentId}`,
      '',
    ].join('\n'),
  );
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  writeFileSync(join(ca.dir, 'serial'), `${serial.toString('hex').toUpperCase()}\n`);
  try {
    execFileSync(
      'openssl',
      [
        'ca',
        '-batch',
        '-notext',
        '-config',
        'ca.cnf',
        '-md',
        'sha256',
        '-cert',
        ca.certPath,
        '-keyfile',
        ca.keyPath,
        '-in',
        csrPath,
        '-out',
        certPath,
        '-subj',
        `/CN=${agentId}`,
        '-extfile',
        extPath,
        '-extensions',
        'ext',
        '-startdate',
        asn1Time(notBefore),
        '-enddate',
        asn1Time(notAfter),
      ],
      { cwd: ca.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    throw new Error(`openssl ca failed: ${(error as { stderr?: Buffer }).stderr?.toString() ?? ''}`);
  }
  return {
    certificatePem: readFileSync(certPath, 'utf8'),
    serialNumber: serial.toString('hex'),
    notBefore: Math.floor(notBefore / 1000) * 1000,
    notAfter: Math.floor(notAfter / 1000) * 1000,
  };
}

function asn1Time(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}
