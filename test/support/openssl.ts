import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The result of one openssl run; tests assert on `status` as well as output. */
export interface OpenSslResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * A scratch directory where the openssl command line is the outside witness: it makes keys and CSRs
 * our code never touched, and judges certificates our code made.
 */
export class OpenSslWorkspace {
  readonly dir: string;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'clawpulsar-openssl-'));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  write(name: string, content: string | Uint8Array): string {
    const path = this.path(name);
    writeFileSync(path, content);
    return path;
  }

  read(name: string): Buffer {
    return readFileSync(this.path(name));
  }

  run(args: readonly string[], input?: Uint8Array): OpenSslResult {
    const result = spawnSync('openssl', args, { cwd: this.dir, input, encoding: 'buffer' });
    if (result.error) throw result.error;
    return {
      status: result.status ?? -1,
      stdout: result.stdout.toString(),
      stderr: result.stderr.toString(),
    };
  }

  /** Runs openssl and throws with its stderr when it fails: for set-up steps that must succeed. */
  must(args: readonly string[], input?: Uint8Array): string {
    const result = this.run(args, input);
    if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  }

  /** A new key of the given kind and a CSR for it, made by openssl; returns the CSR PEM. */
  csr(name: string, kind: 'p256' | 'p384' | 'rsa' | 'ed25519' = 'p256', subject = '/CN=ignored'): string {
    const keyArgs: Record<typeof kind, string[]> = {
      p256: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      p384: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'],
      rsa: ['-newkey', 'rsa:2048'],
      ed25519: ['-newkey', 'ed25519'],
    };
    this.must([
      'req',
      '-new',
      ...keyArgs[kind],
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-subj',
      subject,
      '-out',
      `${name}.csr`,
    ]);
    return this.read(`${name}.csr`).toString();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
