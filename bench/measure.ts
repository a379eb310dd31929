/** Timing helpers for `npm run bench`: figures printed side by side, never asserted. */

export interface Timing {
  readonly label: string;
  /** Mean microseconds per operation. */
  readonly usPerOp: number;
  readonly opsPerSecond: number;
}

/**
 * Runs `op` for about `ms` milliseconds after a warm-up and reports the mean time per operation.
 * Async operations are awaited one at a time (the latency of one request, not a pipeline).
 */
export async function time(label: string, op: () => unknown, ms = 1_000): Promise<Timing> {
  const warmupEnd = performance.now() + Math.min(200, ms / 4);
  while (performance.now() < warmupEnd) await op();
  let n = 0;
  const start = performance.now();
  const end = start + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) await op();
    n += 16;
  }
  const elapsed = performance.now() - start;
  return { label, usPerOp: (elapsed * 1000) / n, opsPerSecond: (n * 1000) / elapsed };
}

/** One side of an interleaved comparison: runs for about `ms` milliseconds, returns how many ops it completed. */
export type Slice = (ms: number) => Promise<number>;

/** A slice that awaits `op` one call at a time (the latency of one operation, not a pipeline). */
export function sequentialSlice(op: () => unknown): Slice {
  return async (ms) => {
    const end = performance.now() + ms;
    let n = 0;
    while (performance.now() < end) {
      for (let i = 0; i < 4; i++) await op();
      n += 4;
    }
    return n;
  };
}

/** A slice with `concurrency` calls of `op` in flight, as on a busy server; it ends when the last settles. */
export function concurrentSlice(op: () => Promise<unknown>, concurrency: number): Slice {
  return async (ms) => {
    const end = performance.now() + ms;
    let n = 0;
    const run = async () => {
      while (performance.now() < end) {
        await op();
        n++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, run));
    return n;
  };
}

export interface Comparison {
  /** Median microseconds per operation of each side, over the rounds. */
  readonly usPerOp: readonly [number, number];
  /** Median over the rounds of (second side's time per op) / (first side's). */
  readonly ratio: number;
  readonly rounds: number;
}

/**
 * Times two sides in alternating short slices (the order swapped every round) and reports medians. On a
 * shared machine the load changes from one second to the next; timing one side for a second and then the
 * other would charge a burst of load to whichever ran during it, while slices a few milliseconds long
 * see the same load on both sides, and the median drops the rounds a burst still skews.
 *
 * `clock: 'thread'` counts the CPU time of this thread instead of elapsed time: for synchronous work that
 * never waits, it leaves out the time the scheduler gave to other processes.
 */
export async function interleave(
  sides: readonly [Slice, Slice],
  options: { totalMs?: number; sliceMs?: number; clock?: 'wall' | 'thread' } = {},
): Promise<Comparison> {
  const now =
    options.clock === 'thread'
      ? () => {
          const { user, system } = process.threadCpuUsage();
          return (user + system) / 1000;
        }
      : () => performance.now();
  const sliceMs = options.sliceMs ?? 20;
  const rounds = Math.max(5, Math.round((options.totalMs ?? 2_000) / (2 * sliceMs)));
  for (const side of sides) await side(Math.min(200, sliceMs * 5)); // warm-up
  const perOp: [number[], number[]] = [[], []];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const us: [number, number] = [0, 0];
    for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const start = now();
      const n = await (sides[i] as Slice)(sliceMs);
      us[i] = ((now() - start) * 1000) / n;
      perOp[i]?.push(us[i] as number);
    }
    ratios.push(us[1] / us[0]);
  }
  return { usPerOp: [median(perOp[0]), median(perOp[1])], ratio: median(ratios), rounds };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Percentile of a sorted array (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** Formats a table with right-aligned numeric columns. */
export function printTable(title: string, headers: string[], rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? format(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  process.stdout.write(`\n${title}\n${line(headers)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const r of cells) process.stdout.write(`${line(r)}\n`);
}

function format(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}
