import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { LineBuffer } from './LineBuffer.ts';

export interface RotationPolicy {
  /** Rotate when the file would grow past this many bytes (default 10 MiB). */
  readonly maxBytes?: number;
  /** Files kept in all, the current one included (default 5: `x.log` and `x.log.1` … `x.log.4`). */
  readonly maxFiles?: number;
}

const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_FILES = 5;

/**
 * An append-only log file, owner-only (dir 0700, files 0600), rotated by size: `x.log` becomes `x.log.1`,
 * `x.log.1` becomes `x.log.2`, and the oldest beyond `maxFiles` is deleted. Lines written in one turn of
 * the event loop go to the file in one synchronous write of whole lines at the end of that turn (a busy
 * relay logs a line per webhook; a system call each would cost more than the line), and on `flush()`,
 * `close()` and process exit; so a crash never leaves half a line behind another process's next one. A
 * write that fails (disk full, directory removed) is dropped after one warning: logging never stops the
 * edge or the agent.
 *
 * @example
 * const file = new RotatingLogFile('/home/me/.clawpulsar/logs/edge.log');
 * file.write('{"event":"edge_started"}\n');
 */
export class RotatingLogFile {
  readonly path: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  #fd: number | undefined;
  #size = 0;
  #failed = false;
  readonly #pending = new LineBuffer((lines) => this.#writeLines(lines));

  constructor(path: string, policy: RotationPolicy = {}) {
    this.path = path;
    this.#maxBytes = policy.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#maxFiles = Math.max(1, policy.maxFiles ?? DEFAULT_MAX_FILES);
  }

  /** Appends one line (it should end with `\n`); it reaches the file at the end of this turn. */
  write(line: string): void {
    if (!this.#failed) this.#pending.push(line);
  }

  /** Writes the pending lines now. */
  flush(): void {
    this.#pending.flush();
  }

  /** Rotates between lines, so no file grows past `maxBytes`. */
  #writeLines(lines: string[]): void {
    if (this.#failed) return;
    try {
      if (this.#fd === undefined) this.#open();
      let chunk: Buffer[] = [];
      let chunkBytes = 0;
      for (const line of lines) {
        const bytes = Buffer.from(line, 'utf8');
        if (this.#size + chunkBytes > 0 && this.#size + chunkBytes + bytes.byteLength > this.#maxBytes) {
          this.#append(chunk, chunkBytes);
          chunk = [];
          chunkBytes = 0;
          if (this.#size > 0) this.#rotate();
        }
        chunk.push(bytes);
        chunkBytes += bytes.byteLength;
      }
      this.#append(chunk, chunkBytes);
    } catch (error) {
      this.#failed = true;
      process.stderr.write(
        `clawpulsar: cannot write ${this.path} (${(error as NodeJS.ErrnoException).code ?? 'error'}); file logging is off\n`,
      );
      this.#closeFile();
    }
  }

  /** Flushes and closes the file (a later write opens it again). */
  close(): void {
    this.flush();
    this.#closeFile();
  }

  #append(chunk: Buffer[], byteLength: number): void {
    if (byteLength === 0) return;
    const bytes = chunk.length === 1 ? (chunk[0] as Buffer) : Buffer.concat(chunk, byteLength);
    let offset = 0;
    while (offset < bytes.byteLength) offset += writeSync(this.#fd as number, bytes, offset);
    this.#size += bytes.byteLength;
  }

  #closeFile(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #open(): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.#fd = openSync(this.path, 'a', 0o600);
    this.#size = fstatSync(this.#fd).size;
  }

  #rotate(): void {
    const ours = fstatSync(this.#fd as number).ino;
    this.#closeFile();
    // Another process writing the same file may have rotated it already: then just reopen.
    if (inode(this.path) === ours) {
      rmSync(`${this.path}.${this.#maxFiles - 1}`, { force: true });
      for (let n = this.#maxFiles - 2; n >= 1; n--)
        renameIfPresent(`${this.path}.${n}`, `${this.path}.${n + 1}`);
      if (this.#maxFiles > 1) renameSync(this.path, `${this.path}.1`);
      else rmSync(this.path, { force: true });
    }
    this.#open();
  }
}

function inode(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
