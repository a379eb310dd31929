import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  installCredentials,
  recoverCredentialInstall,
} from '../../../agent/credentials/installCredentials.ts';
import { type AgentPaths, agentPaths } from '../../../agent/home/agentPaths.ts';

const next = { keyPem: 'new key', csrPem: 'new csr', certificatePem: 'new cert', caChainPem: 'new chain' };

describe('installCredentials', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function home(): AgentPaths {
    const dir = mkdtempSync(join(tmpdir(), 'clawpulsar-install-'));
    dirs.push(dir);
    const paths = agentPaths(dir);
    for (const [path, text] of [
      [paths.tlsKey, 'old key'],
      [paths.tlsCsr, 'old csr'],
      [paths.certificate, 'old cert'],
      [paths.caChain, 'old chain'],
    ] as const) {
      writeFileSync(path, text, { mode: 0o600 });
    }
    return paths;
  }
  const current = (paths: AgentPaths) =>
    [paths.tlsKey, paths.tlsCsr, paths.certificate, paths.caChain].map((p) => readFileSync(p, 'utf8'));

  it('replaces key, CSR, certificate and chain together, 0600, leaving nothing behind', () => {
    // Prepare
    const paths = home();

    // Act
    installCredentials(paths, next);

    // Assess
    expect(current(paths)).toEqual(['new key', 'new csr', 'new cert', 'new chain']);
    expect(statSync(paths.tlsKey).mode & 0o777).toBe(0o600);
    expect(readdirSync(paths.dir).sort()).toEqual(['ca-chain.pem', 'tls.crt', 'tls.csr', 'tls.key']);
  });

  it('finishes an install that stopped half way through the renames', () => {
    // Prepare: the new files and the journal were written, only the key was renamed.
    const paths = home();
    writeFileSync(paths.tlsKey, 'new key');
    writeFileSync(`${paths.tlsCsr}.next`, 'new csr');
    writeFileSync(`${paths.certificate}.next`, 'new cert');
    writeFileSync(`${paths.caChain}.next`, 'new chain');
    writeFileSync(paths.installJournal, JSON.stringify(['tls.key', 'tls.csr', 'tls.crt', 'ca-chain.pem']));

    // Act
    const changed = recoverCredentialInstall(paths);

    // Assess
    expect(changed).toBe(true);
    expect(current(paths)).toEqual(['new key', 'new csr', 'new cert', 'new chain']);
    expect(existsSync(paths.installJournal)).toBe(false);
  });

  it('discards new files written before the journal: the old set stays', () => {
    // Prepare
    const paths = home();
    writeFileSync(`${paths.tlsKey}.next`, 'new key');
    writeFileSync(`${paths.certificate}.next`, 'half a cert');

    // Act
    const changed = recoverCredentialInstall(paths);

    // Assess
    expect(changed).toBe(true);
    expect(current(paths)).toEqual(['old key', 'old csr', 'old cert', 'old chain']);
    expect(readdirSync(paths.dir).filter((n) => n.endsWith('.next'))).toEqual([]);
  });

  it('changes nothing when no install was interrupted', () => {
    const paths = home();
    expect(recoverCredentialInstall(paths)).toBe(false);
    expect(current(paths)).toEqual(['old key', 'old csr', 'old cert', 'old chain']);
  });

  it('refuses a malformed journal and confines file names to the agent home', () => {
    const paths = home();
    writeFileSync(paths.installJournal, JSON.stringify({ not: 'a list' }));
    expect(() => recoverCredentialInstall(paths)).toThrow();
    writeFileSync(paths.installJournal, JSON.stringify(['../../etc/passwd']));
    writeFileSync(join(paths.dir, 'passwd.next'), 'x');
    recoverCredentialInstall(paths);
    expect(readFileSync(join(paths.dir, 'passwd'), 'utf8')).toBe('x');
  });
});
