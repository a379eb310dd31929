import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The handlers under lambdas/handlers/ the stack deploys. */
const HANDLERS = [
  'ingress',
  'register',
  'management',
  'dispatcher',
  'ack',
  'renew',
  'presence',
  'certificateSweeper',
  'caBootstrap',
] as const;

/** A valid value for every variable of every handler's env schema (lambdas/handlers/env.ts). */
const HANDLER_ENVIRONMENT: Record<string, string> = {
  AGENTS_TABLE: 'cp-agents',
  SOURCES_TABLE: 'cp-sources',
  DEDUPE_TABLE: 'cp-dedupe',
  DELIVERY_LOG_TABLE: 'cp-delivery-log',
  REGISTRATION_TOKENS_TABLE: 'cp-tokens',
  CERTIFICATES_TABLE: 'cp-certificates',
  CONFIG_TABLE: 'cp-config',
  PRESENCE_TABLE: 'cp-presence',
  IN_FLIGHT_TABLE: 'cp-in-flight',
  ENVELOPE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/cp-envelopes',
  ENVELOPE_BUCKET: 'cp-envelopes-123456789012',
  DATA_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
  CA_SIGNING_KEY_ARN: 'arn:aws:kms:eu-west-1:123456789012:key/1f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
  IOT_ENDPOINT: 'abc123example-ats.iot.eu-west-1.amazonaws.com',
  IOT_POLICY_NAME: 'ClawPulsarAgentPolicy',
  PUBLIC_BASE_URL: 'https://hooks.example.com',
};

/** The CLI's environment: no AWS credentials or profile, no metadata service, no version check, no telemetry. */
function offlineEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('CDK_')) env[key] = value;
  }
  return {
    ...env,
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

interface CfnResourceJson {
  readonly Type: string;
  readonly Metadata: Record<string, string>;
}

interface Synth {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function cdkSynth(outdir: string, extraArgs: readonly string[] = []): Promise<Synth> {
  try {
    const { stdout, stderr } = await run(
      'npx',
      ['cdk', 'synth', '--quiet', '--no-notices', '--output', outdir, ...extraArgs],
      { cwd: ROOT, env: offlineEnvironment(), timeout: 540_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('bin/app.ts through `npx cdk synth`', () => {
  let outdir: string;
  let synth: Synth;

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'clawpulsar-cdk-out-'));
    synth = await cdkSynth(outdir);
  }, 600_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  /** Handler name → the asset directory CDK bundled it into. */
  const bundles = (): Map<string, string> => {
    const template = JSON.parse(readFileSync(join(outdir, 'ClawPulsar.template.json'), 'utf8'));
    const found = new Map<string, string>();
    for (const [id, resource] of Object.entries(template.Resources as Record<string, CfnResourceJson>)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const handler = HANDLERS.find((name) => id.toLowerCase().includes(`${name.toLowerCase()}function`));
      const assetPath = resource.Metadata['aws:asset:path'];
      if (handler && assetPath) found.set(handler, join(outdir, assetPath));
    }
    return found;
  };

  it('synthesizes offline, without AWS credentials, and passes every cdk-nag pack', () => {
    // Assess
    expect(synth.stderr).not.toMatch(/Validation failed|ERROR/);
    expect(synth.code).toBe(0);
    expect(existsSync(join(outdir, 'ClawPulsar.template.json'))).toBe(true);
  });

  it('bundles each of the nine handlers with its own AWS SDK, importing nothing from outside its asset', () => {
    // Act
    const found = bundles();

    // Assess
    expect([...found.keys()].sort()).toEqual([...HANDLERS].sort());
    for (const [handler, dir] of found) {
      const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.mjs'));
      expect(files, handler).toContain('index.mjs');
      let bytes = 0;
      for (const file of files) {
        const code = readFileSync(join(dir, file), 'utf8');
        bytes += code.length;
        // Only relative chunks and Node built-ins: the SDK deployed is the one tested, not the runtime's.
        const specifiers = [
          ...code.matchAll(/(?:^|[;}\s])(?:import|export)[^'"]*?from\s*["']([^"']+)["']/g),
          ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
        ].map((m) => m[1]);
        expect(file === 'index.mjs' ? specifiers.length : 1, `${handler}/${file}`).toBeGreaterThan(0);
        for (const specifier of specifiers)
          expect(specifier, `${handler}/${file}`).toMatch(/^(\.\/|\.\.\/|node:)/);
        expect(existsSync(join(dir, `${file}.map`)), `${handler}/${file}`).toBe(false);
      }
      // Minified: printed in the report, kept far below Lambda's 50 MB zip limit.
      expect(bytes, handler).toBeLessThan(2_000_000);
    }
  });

  it('loads every bundle under Node.js as the Lambda runtime does, exporting a handler function', async () => {
    // Prepare: each asset directory on its own, with no node_modules anywhere above it.
    const sandbox = mkdtempSync(join(tmpdir(), 'clawpulsar-bundles-'));
    for (const [handler, dir] of bundles()) cpSync(dir, join(sandbox, handler), { recursive: true });
    const script = `
      const out = {};
      for (const name of ${JSON.stringify(HANDLERS)}) {
        const mod = await import('./' + name + '/index.mjs');
        out[name] = typeof mod.handler;
      }
      const ingress = await import('./ingress/index.mjs');
      out.malformed = (await ingress.handler({}, {})).statusCode;
      console.log(JSON.stringify(out));`;

    // Act
    let result: { stdout: string };
    try {
      result = await run(process.execPath, ['--input-type=module', '-e', script], {
        cwd: sandbox,
        env: { ...offlineEnvironment(), ...HANDLER_ENVIRONMENT, AWS_REGION: 'eu-west-1' },
        timeout: 60_000,
      });
    } finally {
      rmSync(sandbox, { recursive: true, force: true });
    }

    // Assess
    const loaded = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}');
    for (const handler of HANDLERS) expect(loaded[handler], handler).toBe('function');
    expect(loaded.malformed).toBeGreaterThanOrEqual(400);
    expect(loaded.malformed).toBeLessThan(500);
  }, 120_000);

  it('refuses invalid context with a message naming the key, before building anything', async () => {
    // Act
    const failed = await cdkSynth(join(outdir, 'invalid'), ['-c', 'clawpulsar:alertEmail=not-an-email']);

    // Assess
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain('clawpulsar:alertEmail: must be an email address');
    expect(failed.stderr).not.toContain('Bundling asset');
  }, 600_000);
});
