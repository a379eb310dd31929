import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileCertificateSigner } from '../../../../lambdas/adapters/local/FileCertificateSigner.ts';
import { FileKeyCustody } from '../../../../lambdas/adapters/local/FileKeyCustody.ts';
import { createCaCertificate } from '../../../../lambdas/core/identity/createCaCertificate.ts';
import { issueAgentCertificate } from '../../../../lambdas/core/identity/issueAgentCertificate.ts';
import { OpenSslWorkspace } from '../../../support/openssl.ts';

const YEAR = 365 * 24 * 60 * 60 * 1000;

describe('FileCertificateSigner', () => {
  let dir: string;
  let keyPath: string;
  let custody: FileKeyCustody;
  const ssl = new OpenSslWorkspace();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clawpulsar-signer-'));
    keyPath = join(dir, 'ca', 'ca.key.enc');
    custody = FileKeyCustody.openOrCreate(join(dir, 'master.key'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(() => ssl.remove());

  it('creates a P-256 key file that holds no plaintext key, readable by the owner only', async () => {
    // Act
    await FileCertificateSigner.loadOrCreate({ keyPath, custody });

    // Assess: open the file with the custody ourselves to know what must not appear in it.
    const onDisk = readFileSync(keyPath);
    const pkcs8 = Buffer.from(await custody.decrypt(onDisk, { purpose: 'local-ca-key' }));
    const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const scalar = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(scalar).toHaveLength(32);
    expect(onDisk.includes('PRIVATE KEY')).toBe(false);
    expect(onDisk.includes(pkcs8)).toBe(false);
    expect(onDisk.includes(scalar)).toBe(false);
    expect(onDisk.includes(Buffer.from(pem.split('\n')[1]!))).toBe(false);
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ca')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dir, 'ca'))).toEqual(['ca.key.enc']);
  });

  it('reloads the same key, and certificates from both instances chain for openssl', async () => {
    // Prepare
    const first = await FileCertificateSigner.loadOrCreate({ keyPath, custody });
    const now = Date.now();
    const ca = await createCaCertificate({ signer: first, commonName: 'Local CA', now, lifetimeMs: YEAR });

    // Act
    const reloaded = await FileCertificateSigner.loadOrCreate({
      keyPath,
      custody: FileKeyCustody.openOrCreate(join(dir, 'master.key')),
    });
    const agent = await issueAgentCertificate({
      csr: ssl.csr('agent'),
      agentId: 'laptop-1',
      signer: reloaded,
      caCertificate: ca.certificatePem,
      now,
    });

    // Assess
    expect(Buffer.from(reloaded.publicKeySpki)).toEqual(Buffer.from(first.publicKeySpki));
    ssl.write('ca.pem', ca.certificatePem);
    ssl.write('agent.pem', agent.certificatePem);
    expect(ssl.run(['verify', '-CAfile', 'ca.pem', 'ca.pem']).status).toBe(0);
    expect(ssl.run(['verify', '-CAfile', 'ca.pem', '-purpose', 'sslclient', 'agent.pem']).stdout.trim()).toBe(
      'agent.pem: OK',
    );
  });

  it('ends with one key when two starts race to create it', async () => {
    // Act
    const [a, b, c] = await Promise.all([
      FileCertificateSigner.loadOrCreate({ keyPath, custody }),
      FileCertificateSigner.loadOrCreate({ keyPath, custody }),
      FileCertificateSigner.loadOrCreate({ keyPath, custody }),
    ]);
    const reloaded = await FileCertificateSigner.loadOrCreate({ keyPath, custody });

    // Assess
    for (const signer of [a, b, c])
      expect(Buffer.from(signer!.publicKeySpki)).toEqual(Buffer.from(reloaded.publicKeySpki));
    expect(readdirSync(join(dir, 'ca'))).toEqual(['ca.key.enc']);
  });

  it('fails clearly under another master key, without touching the file', async () => {
    // Prepare
    await FileCertificateSigner.loadOrCreate({ keyPath, custody });
    const before = readFileSync(keyPath);
    const otherCustody = FileKeyCustody.openOrCreate(join(dir, 'other-master.key'));

    // Act
    const attempt = FileCertificateSigner.loadOrCreate({ keyPath, custody: otherCustody });

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'signing_key_unreadable', status: 500 });
    await expect(attempt).rejects.toThrow(`The CA key file ${keyPath} does not open with this master key`);
    expect(readFileSync(keyPath)).toEqual(before);
  });

  it('fails clearly on a tampered key file', async () => {
    // Prepare
    await FileCertificateSigner.loadOrCreate({ keyPath, custody });
    const bytes = readFileSync(keyPath);
    bytes[bytes.length - 20]! ^= 0x01;
    writeFileSync(keyPath, bytes);

    // Act + Assess
    await expect(FileCertificateSigner.loadOrCreate({ keyPath, custody })).rejects.toMatchObject({
      code: 'signing_key_unreadable',
    });
  });

  it('refuses a key file that holds a key other than P-256', async () => {
    // Prepare
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    writeFileSync(keyPath.replace('/ca/', '/'), await custody.encrypt(pkcs8, { purpose: 'local-ca-key' }));

    // Act + Assess
    await expect(
      FileCertificateSigner.loadOrCreate({ keyPath: keyPath.replace('/ca/', '/'), custody }),
    ).rejects.toMatchObject({ code: 'signing_key_unsupported' });
  });

  it('refuses ciphertext made for another purpose', async () => {
    // Prepare
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const path = join(dir, 'moved.key.enc');
    writeFileSync(path, await custody.encrypt(pkcs8, { purpose: 'source-secrets' }));

    // Act + Assess
    await expect(FileCertificateSigner.loadOrCreate({ keyPath: path, custody })).rejects.toMatchObject({
      code: 'signing_key_unreadable',
    });
  });

  it('does not reveal the private key through inspection or JSON', async () => {
    // Prepare
    const signer = await FileCertificateSigner.loadOrCreate({ keyPath, custody });
    const pkcs8 = Buffer.from(await custody.decrypt(readFileSync(keyPath), { purpose: 'local-ca-key' }));
    const d = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }).d!;

    // Act
    const { inspect } = await import('node:util');
    const shown = `${inspect(signer, { showHidden: true, depth: 10 })}${JSON.stringify(signer)}`;

    // Assess
    expect(shown).not.toContain(d);
    expect(shown).not.toContain('PRIVATE KEY');
  });
});
