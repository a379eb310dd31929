import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
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

/**
 * Each Lambda bundled exactly as the stack bundles it (esbuild, minified ESM, Node 24, the runtime's AWS
 * SDK v3 external), its size, and its cold initialisation measured locally: a fresh Node process imports
 * the bundle (module load, env validation, client construction), against an empty module's import in the
 * same kind of process. Targets: <= 300 KB minified and < 100 ms each.
 */
export async function lambdaBench(): Promise<void> {
  const out = join('dist', 'bench-lambdas');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const handlers = readdirSync('lambdas/handlers').filter((f) => f.endsWith('.ts') && f !== 'env.ts');
  writeFileSync(join(out, 'empty.mjs'), 'export const handler = async () => ({});\n');
  const rows: (string | number)[][] = [];
  const baseline = initMs(join(out, 'empty.mjs'));
  for (const file of handlers) {
    const outfile = join(out, file.replace(/\.ts$/, '.mjs'));
    await build({
      entryPoints: [join('lambdas/handlers', file)],
      outfile,
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      mainFields: ['module', 'main'],
      external: ['@aws-sdk/*'],
      banner: {
        js: "import{createRequire as __cpRequire}from'node:module';const require=__cpRequire(import.meta.url);",
      },
      logLevel: 'error',
    });
    rows.push([file.replace(/\.ts$/, ''), statSync(outfile).size / 1024, initMs(outfile), baseline]);
  }
  printTable(
    'Lambda bundles (esbuild, minified ESM, AWS SDK from the runtime) and cold init measured locally (targets: <= 300 KB, < 100 ms)',
    ['handler', 'KB', 'init ms', 'empty module ms'],
    rows,
  );
}

/** Median over 5 fresh processes of the time to import `file` (ms). */
function initMs(file: string): number {
  const script = `const t=performance.now();await import(${JSON.stringify(`./${file}`)});process.stdout.write(String(performance.now()-t));`;
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    try {
      const text = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, ...FAKE_ENV },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      samples.push(Number(text));
    } catch {
      return Number.NaN;
    }
  }
  samples.sort((a, b) => a - b);
  return samples[2] as number;
}
