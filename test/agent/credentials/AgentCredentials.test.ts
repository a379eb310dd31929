import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateForKey, loadAgentCredentials } from '../../../agent/credentials/AgentCredentials.ts';
import { createTlsKeyAndCsr } from '../../../agent/credentials/createTlsKeyAndCsr.ts';
import { type AgentPaths, agentPaths } from '../../../agent/home/agentPaths.ts';
import { makeCa, removeCa, type TestCa } from '../../support/opensslCa.ts';
import { signAgentCsr } from '../../support/testCa.ts';

describe('agent credentials', () => {
  let ca: TestCa;
  beforeAll(() => {
    ca = makeCa();
  });
  afterAll(() => removeCa(ca));

  function home(): { paths: AgentPaths; keyPem: string; certificatePem: string; notAfter: number } {
    const dir = mkdtempSync(join(tmpdir(), 'clawpulsar-creds-'));
    const paths = agentPaths(dir);
    const { privateKeyPem, csrPem } = createTlsKeyAndCsr('creds');
    const issued = signAgentCsr(ca, csrPem, 'creds-agent');
    writeFileSync(paths.tlsKey, privateKeyPem, { mode: 0o600 });
    writeFileSync(paths.certificate, issued.certificatePem, { mode: 0o600 });
    writeFileSync(paths.caChain, ca.certPem, { mode: 0o600 });
    writeFileSync(paths.serverCa, ca.certPem, { mode: 0o600 });
    writeFileSync(paths.sealingKey, `${Buffer.alloc(32, 7).toString('base64url')}\n`, { mode: 0o600 });
    return { paths, keyPem: privateKeyPem, certificatePem: issued.certificatePem, notAfter: issued.notAfter };
  }

  it('loads key, certificate validity, CAs and the sealing key', () => {
    const { paths, notAfter } = home();
    const loaded = loadAgentCredentials(paths);
    expect(loaded.tls.notAfter).toBe(notAfter);
    expect(loaded.tls.notBefore).toBeLessThan(Date.now());
    expect(Buffer.from(loaded.sealingPrivateKey)).toEqual(Buffer.alloc(32, 7));
    expect(loaded.serverCaPem).toBe(ca.certPem);
    rmSync(paths.dir, { recursive: true });
  });

  it('refuses a private key file other users can read', () => {
    const { paths } = home();
    chmodSync(paths.tlsKey, 0o644);
    expect(() => loadAgentCredentials(paths)).toThrow(/readable by other users; run `chmod 600/);
    rmSync(paths.dir, { recursive: true });
  });

  it('says to register first when files are missing', () => {
    const paths = agentPaths(mkdtempSync(join(tmpdir(), 'clawpulsar-creds-')));
    expect(() => loadAgentCredentials(paths)).toThrow(/register this agent first/);
    rmSync(paths.dir, { recursive: true });
  });

  it('refuses a sealing key that is not 32 bytes', () => {
    const { paths } = home();
    writeFileSync(paths.sealingKey, 'c2hvcnQ\n', { mode: 0o600 });
    expect(() => loadAgentCredentials(paths)).toThrow(/32-byte X25519 key/);
    rmSync(paths.dir, { recursive: true });
  });

  it('refuses a certificate for another key, or one that is not a certificate', () => {
    const { keyPem, certificatePem } = home();
    expect(certificateForKey(certificatePem, keyPem).notAfter).toBeGreaterThan(Date.now());
    const other = createTlsKeyAndCsr('other').privateKeyPem;
    expect(() => certificateForKey(certificatePem, other)).toThrow(
      expect.objectContaining({ code: 'certificate_key_mismatch' }),
    );
    expect(() => certificateForKey('not a certificate', keyPem)).toThrow(
      expect.objectContaining({ code: 'certificate_invalid' }),
    );
  });
});
