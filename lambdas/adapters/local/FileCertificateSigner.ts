import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ClawPulsarError } from '../../core/errors.ts';
import type { CertificateSigner } from '../../core/identity/CertificateSigner.ts';
import type { KeyCustody } from '../../core/ports.ts';

/** Binds the key file's ciphertext to its use: it opens only as the local CA key. */
const CONTEXT = { purpose: 'local-ca-key' } as const;

/**
 * The local CA's signer: an EC P-256 key generated here on first use and stored only as KeyCustody
 * ciphertext of its PKCS#8 encoding, never as a plaintext PEM on disk. The AWS counterpart is
 * KmsCertificateSigner.
 *
 * @example
 * const signer = await FileCertificateSigner.loadOrCreate({ keyPath, custody });
 */
export class FileCertificateSigner implements CertificateSigner {
  readonly publicKeySpki: Uint8Array;
  readonly #key: KeyObject;

  private constructor(key: KeyObject) {
    this.#key = key;
    this.publicKeySpki = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  }

  /**
   * Loads the encrypted key file, or creates it when absent (0600, in a 0700 directory). Creation is
   * exclusive: when two processes race, both end up with the key that reached the disk first.
   * Errors (500): `signing_key_unreadable` (wrong master key, tampered or foreign file),
   * `signing_key_unsupported` (the file holds a key that is not P-256).
   */
  static async loadOrCreate(input: { keyPath: string; custody: KeyCustody }): Promise<FileCertificateSigner> {
    const existing = readIfExists(input.keyPath);
    if (existing) return FileCertificateSigner.#load(existing, input);

    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const ciphertext = await input.custody.encrypt(pkcs8, CONTEXT);
    pkcs8.fill(0);
    if (writeNewFile(input.keyPath, ciphertext)) return new FileCertificateSigner(privateKey);
    return FileCertificateSigner.#load(readFileSync(input.keyPath), input);
  }

  static async #load(ciphertext: Uint8Array, input: { keyPath: string; custody: KeyCustody }) {
    let pkcs8: Uint8Array;
    try {
      pkcs8 = await input.custody.decrypt(ciphertext, CONTEXT);
    } catch (cause) {
      throw new ClawPulsarError(
        'signing_key_unreadable',
        `The CA key file ${input.keyPath} does not open with this master key`,
        500,
        { keyPath: input.keyPath },
        { cause },
      );
    }
    let key: KeyObject;
    try {
      key = createPrivateKey({
        key: Buffer.from(pkcs8.buffer, pkcs8.byteOffset, pkcs8.byteLength),
        format: 'der',
        type: 'pkcs8',
      });
    } catch {
      throw new ClawPulsarError(
        'signing_key_unreadable',
        `The CA key file ${input.keyPath} holds no private key`,
        500,
        {
          keyPath: input.keyPath,
        },
      );
    } finally {
      pkcs8.fill(0);
    }
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new ClawPulsarError(
        'signing_key_unsupported',
        `The CA key in ${input.keyPath} is not an EC P-256 key`,
        500,
        {
          keyPath: input.keyPath,
        },
      );
    }
    return new FileCertificateSigner(key);
  }

  async sign(tbs: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(sign('sha256', tbs, { key: this.#key, dsaEncoding: 'der' }));
  }
}

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes `bytes` to `path` only if nothing is there yet, all or nothing: the bytes go to a private
 * temporary file first and are linked into place, which fails rather than overwrite. False when another
 * writer got there first.
 */
function writeNewFile(path: string, bytes: Uint8Array): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, bytes, { mode: 0o600, flag: 'wx', flush: true });
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}
