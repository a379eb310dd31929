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

/**
 * Runs `op` with `concurrency` operations in flight for about `ms` milliseconds and reports the time per
 * operation (elapsed / count): the cost of one operation when the work overlaps, as on a busy server.
 */
export async function timeConcurrent(
  label: string,
  op: () => Promise<unknown>,
  concurrency: number,
  ms = 1_000,
): Promise<Timing> {
  let n = 0;
  const run = async (until: number) => {
    while (performance.now() < until) {
      await op();
      n++;
    }
  };
  await Promise.all(
    Array.from({ length: concurrency }, () => run(performance.now() + Math.min(200, ms / 4))),
  );
  n = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, () => run(start + ms)));
  const elapsed = performance.now() - start;
  return { label, usPerOp: (elapsed * 1000) / n, opsPerSecond: (n * 1000) / elapsed };
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
