import { readFileSync } from 'node:fs';

/**
 * The last `count` lines of a rotated log (`path`, then `path.1`, `path.2`, … as far as they exist),
 * oldest first. Blank lines are skipped.
 *
 * @example
 * readLogTail('/home/me/.clawpulsar/logs/agent.log', 100);
 */
export function readLogTail(path: string, count: number, maxFiles = 5): string[] {
  const collected: string[][] = [];
  let total = 0;
  for (let n = 0; n < maxFiles && total < count; n++) {
    const text = readIfPresent(n === 0 ? path : `${path}.${n}`);
    if (text === undefined) {
      if (n === 0) continue;
      break;
    }
    const lines = text.split('\n').filter((line) => line.length > 0);
    const wanted = lines.slice(Math.max(0, lines.length - (count - total)));
    collected.unshift(wanted);
    total += wanted.length;
  }
  return collected.flat();
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
