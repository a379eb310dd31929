import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import {
  coldStartOutputs,
  HANDLER_MODULE,
  HANDLER_NAMES,
  handlerBuildOptions,
} from '../lib/handlerBuildOptions.ts';
import { printTable } from './measure.ts';

/** Plausible values for every variable of the handlers' environment contract (lambdas/handlers/env.ts). */
const FAKE_ENV: Record<string, string> = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AGENTS_TABLE: 'agents',
  SOURCES_TABLE: 'sources',
  DEDUPE_TABLE: 'dedupe',
  DELIVERY_LOG_TABLE: 'delivery-log',
  CERTIFICATES_TABLE: 'certificates',
  CONFIG_TABLE: 'config',
  REGISTRATION_TOKENS_TABLE: 'registration-tokens',
  PRESENCE_TABLE: 'presence',
  IN_FLIGHT_TABLE: 'in-flight',
  DATA_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  CA_SIGNING_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/abcd1234-12ab-34cd-56ef-1234567890ab',
  ENVELOPE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/envelopes',
  ENVELOPE_BUCKET: 'clawpulsar-envelopes-123456789012',
  IOT_ENDPOINT: 'abc123example-ats.iot.eu-west-1.amazonaws.com',
  IOT_POLICY_NAME: 'clawpulsar-agent',
  PUBLIC_BASE_URL: 'https://abc123example.execute-api.eu-west-1.amazonaws.com',
  PROVIDER_KEYS_TABLE: 'provider-keys',
  BUDGETS_TABLE: 'budgets',
  SPEND_HISTORY_TABLE: 'spend-history',
  BUDGET_ALERTS_TABLE: 'budget-alerts',
  BUDGET_POLL_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/budget-poll',
  BUDGET_ALERTS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:budget-alerts',
};

/** Fresh processes per handler (and as many for the empty module, interleaved with them). */
const RUNS = 9;
const SIZE_TARGET_KB = 300;
const INIT_TARGET_MS = 100;

/**
 * Each Lambda bundled exactly as the stack bundles it (lib/handlerBuildOptions.ts: esbuild, minified
 * ESM split into chunks, the AWS SDK v3 bundled, Node 24), its size, and its cold initialisation measured
 * locally: a fresh Node process imports the entry module (reading and compiling the entry and the chunks
 * it imports statically, loading Node built-ins, validating the environment, constructing the clients).
 * Each handler's runs alternate with runs importing an empty module, so both columns see the same load.
 *
 * Sizes: "start" is what a cold start reads (entry + static chunks); "deployed" adds the chunks behind a
 * dynamic import (rare paths: the S3 claim check, credential providers other than the environment's).
 * Targets: <= 300 KB minified (the deployed code) and < 100 ms each. The time of the first invocation
 * is not included: it needs the AWS endpoints.
 */
export async function lambdaBench(): Promise<void> {
  const out = resolve('dist', 'bench-lambdas');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const empty = join(out, 'empty.mjs');
  writeFileSync(empty, 'export const handler = async () => ({});\n');
  const loadBefore = loadAverage();
  const rows: (string | number)[][] = [];
  for (const handler of HANDLER_NAMES) {
    const outdir = join(out, handler);
    const { metafile } = await build(handlerBuildOptions(handler, outdir));
    const sizes = bundleSizes(metafile, join(outdir, `${HANDLER_MODULE}.mjs`));
    const init = coldInit(join(outdir, `${HANDLER_MODULE}.mjs`), empty);
    rows.push([
      handler,
      sizes.startKb,
      sizes.deployedKb,
      init.medianMs,
      init.minMs,
      init.cpuMedianMs,
      init.emptyMedianMs,
      verdict(sizes.deployedKb <= SIZE_TARGET_KB, init.medianMs < INIT_TARGET_MS),
    ]);
  }
  printTable(
    `Lambda bundles as the stack builds them (esbuild, minified ESM chunks, AWS SDK bundled) and cold init measured locally, median of ${RUNS} fresh processes (targets: <= ${SIZE_TARGET_KB} KB deployed, < ${INIT_TARGET_MS} ms)`,
    [
      'handler',
      'start KB',
      'deployed KB',
      'init ms',
      'min ms',
      'CPU ms',
      'empty module ms',
      'size / init target',
    ],
    rows,
  );
  const nodeStartMs = median(Array.from({ length: RUNS }, processStartMs));
  process.stdout.write(
    `load average ${loadBefore} before, ${loadAverage()} after, ${availableParallelism()} CPUs (other work on the machine inflates every column alike); ` +
      `yardstick of this machine's speed: a bare \`node -e 0\` runs in ${nodeStartMs.toFixed(0)} ms (median)\n`,
  );
}

/** KB a cold start reads (the entry and its static imports) and KB of every chunk deployed. */
function bundleSizes(metafile: Metafile, entry: string): { startKb: number; deployedKb: number } {
  const start = new Set(coldStartOutputs(metafile, entry));
  let startBytes = 0;
  let deployedBytes = 0;
  for (const [file, output] of Object.entries(metafile.outputs)) {
    deployedBytes += output.bytes;
    if (start.has(file)) startBytes += output.bytes;
  }
  return { startKb: startBytes / 1024, deployedKb: deployedBytes / 1024 };
}

interface ColdInit {
  /** Wall-clock time of the import: median and minimum over RUNS processes. */
  readonly medianMs: number;
  readonly minMs: number;
  /** CPU time (user + system, all threads) of the import, median: less sensitive to a busy machine. */
  readonly cpuMedianMs: number;
  readonly emptyMedianMs: number;
}

/** RUNS fresh processes importing `file`, each followed by one importing the empty module. */
function coldInit(file: string, empty: string): ColdInit {
  const samples: ImportTime[] = [];
  const emptySamples: ImportTime[] = [];
  for (let i = 0; i < RUNS; i++) {
    samples.push(importTime(file));
    emptySamples.push(importTime(empty));
  }
  const wall = samples.map((sample) => sample.wallMs);
  return {
    medianMs: median(wall),
    minMs: Math.min(...wall),
    cpuMedianMs: median(samples.map((sample) => sample.cpuMs)),
    emptyMedianMs: median(emptySamples.map((sample) => sample.wallMs)),
  };
}

interface ImportTime {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function importTime(file: string): ImportTime {
  const url = JSON.stringify(pathToFileURL(file).href);
  const script = `const c=process.cpuUsage(),t=performance.now();await import(${url});const w=performance.now()-t,u=process.cpuUsage(c);process.stdout.write(w+' '+(u.user+u.system)/1000);`;
  try {
    const [wallMs, cpuMs] = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, ...FAKE_ENV },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .split(' ')
      .map(Number);
    return { wallMs: wallMs ?? Number.NaN, cpuMs: cpuMs ?? Number.NaN };
  } catch {
    return { wallMs: Number.NaN, cpuMs: Number.NaN };
  }
}

/** Wall-clock time of a whole `node -e 0` process, start to exit. */
function processStartMs(): number {
  const start = performance.now();
  execFileSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

function verdict(sizeMet: boolean, initMet: boolean): string {
  return `${sizeMet ? 'met' : 'NOT MET'} / ${initMet ? 'met' : 'NOT MET'}`;
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
