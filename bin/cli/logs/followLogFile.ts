import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

export interface LogFollower {
  stop(): void;
}

/**
 * Calls `onLine` for every whole line appended to `path` from now on, polling every `intervalMs`. When
 * the file is rotated (a new inode at `path`) the rest of the old file is read first, then the new one
 * from its start; a file that does not exist yet is waited for.
 *
 * @example
 * const follower = followLogFile(path, (line) => console.log(line));
 * process.once('SIGINT', () => follower.stop());
 */
export function followLogFile(path: string, onLine: (line: string) => void, intervalMs = 250): LogFollower {
  let fd: number | undefined;
  let position = 0;
  let pending = '';
  const buffer = Buffer.alloc(64 * 1024);

  const open = (fromStart: boolean) => {
    try {
      fd = openSync(path, 'r');
      position = fromStart ? 0 : fstatSync(fd).size;
    } catch {
      fd = undefined;
    }
  };
  const drain = () => {
    if (fd === undefined) return;
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.byteLength, position);
      if (read === 0) break;
      position += read;
      pending += buffer.toString('utf8', 0, read);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.length > 0) onLine(line);
    }
  };
  const tick = () => {
    if (fd === undefined) {
      open(true);
      drain();
      return;
    }
    drain();
    let current: number | undefined;
    try {
      current = statSync(path).ino;
    } catch {
      current = undefined;
    }
    const truncated = current !== undefined && statSync(path).size < position;
    if (current !== fstatSync(fd).ino || truncated) {
      closeSync(fd);
      fd = undefined;
      pending = '';
      if (current !== undefined) {
        open(true);
        drain();
      }
    }
  };

  open(false);
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
