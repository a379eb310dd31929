import { existsSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as z from 'zod';
import type { AgentPaths } from '../home/agentPaths.ts';
import { syncDir, writePrivateFile } from '../home/writePrivateFile.ts';

/** A new TLS key with its certificate: installed together or not at all. */
export interface CredentialFiles {
  readonly keyPem: string;
  readonly csrPem: string;
  readonly certificatePem: string;
  readonly caChainPem: string;
}

const NEXT = '.next';
const journalSchema = z.array(z.string().min(1).max(64)).max(8);

/**
 * Replaces the TLS key, CSR, certificate and CA chain as one unit. Each new file is written in full
 * (`*.next`), then a journal naming them is written, then each is renamed into place and the journal
 * removed. A crash before the journal leaves the old set; after it, `recoverCredentialInstall`
 * finishes the renames, so the key and the certificate on disk always match.
 *
 * @example
 * installCredentials(paths, { keyPem, csrPem, certificatePem, caChainPem });
 */
export function installCredentials(paths: AgentPaths, files: CredentialFiles): void {
  const targets: [string, string][] = [
    [paths.tlsKey, files.keyPem],
    [paths.tlsCsr, files.csrPem],
    [paths.certificate, files.certificatePem],
    [paths.caChain, files.caChainPem],
  ];
  for (const [path, content] of targets) writePrivateFile(path + NEXT, content);
  writePrivateFile(paths.installJournal, JSON.stringify(targets.map(([path]) => basename(path))));
  finish(paths);
}

/**
 * Completes an install that a crash interrupted, or discards half-written `*.next` files when the
 * journal was never written. Returns true when it changed anything. Run before reading credentials.
 */
export function recoverCredentialInstall(paths: AgentPaths): boolean {
  if (existsSync(paths.installJournal)) {
    finish(paths);
    return true;
  }
  let changed = false;
  for (const name of readdirSync(paths.dir)) {
    if (name.endsWith(NEXT)) {
      unlinkSync(join(paths.dir, name));
      changed = true;
    }
  }
  return changed;
}

function finish(paths: AgentPaths): void {
  const names = journalSchema.parse(JSON.parse(readFileSync(paths.installJournal, 'utf8')));
  for (const name of names) {
    const final = join(paths.dir, basename(name));
    if (existsSync(final + NEXT)) renameSync(final + NEXT, final);
  }
  syncDir(paths.dir);
  unlinkSync(paths.installJournal);
  syncDir(paths.dir);
}
