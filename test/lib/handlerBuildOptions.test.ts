import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  coldStartOutputs,
  HANDLER_MODULE,
  HANDLER_NAMES,
  type HandlerName,
  handlerBuildOptions,
} from '../../lib/handlerBuildOptions.ts';

const EXAMPLE_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Enough of a Lambda environment for the ingress module to initialise (env.ts's ingressEnv). */
const INGRESS_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  AGENTS_TABLE: 'agents',
  SOURCES_TABLE: 'sources',
  DEDUPE_TABLE: 'dedupe',
  DELIVERY_LOG_TABLE: 'delivery-log',
  ENVELOPE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/envelopes',
  ENVELOPE_BUCKET: 'clawpulsar-envelopes-123456789012',
  DATA_KEY_ARN: EXAMPLE_ARN,
};

interface Built {
  readonly metafile: Metafile;
  readonly entry: string;
}

/** The source files whose code ends up in the given outputs. */
function inputsOf(metafile: Metafile, outputs: readonly string[]): string[] {
  return outputs.flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));
}

describe('handler bundles', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'clawpulsar-bundles-'));
  const built = new Map<HandlerName, Built>();

  beforeAll(async () => {
    for (const handler of [
      'ingress',
      'presence',
      'management',
      'budgetWorker',
      'register',
      'certificateSweeper',
    ] as const) {
      const options = handlerBuildOptions(handler, join(outdir, handler));
      const { metafile } = await build(options);
      built.set(handler, { metafile, entry: join(outdir, handler, `${HANDLER_MODULE}.mjs`) });
    }
  }, 120_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  /** Source files a cold start of `handler` loads, and those only a dynamic import reaches. */
  function split(handler: HandlerName): { atStart: string[]; deferred: string[] } {
    const { metafile, entry } = built.get(handler) as Built;
    const start = coldStartOutputs(metafile, entry);
    const rest = Object.keys(metafile.outputs).filter((file) => !start.includes(file));
    return { atStart: inputsOf(metafile, start), deferred: inputsOf(metafile, rest) };
  }

  it('name every handler module under lambdas/handlers', () => {
    // Act
    const files = readdirSync('lambdas/handlers')
      .filter((file) => file.endsWith('.ts') && file !== 'env.ts')
      .map((file) => file.replace(/\.ts$/, ''));

    // Assess
    expect([...HANDLER_NAMES].sort()).toEqual(files.sort());
  });

  it('leave the S3 client and the credential providers other than the environment out of the ingress cold start', () => {
    // Act
    const { atStart, deferred } = split('ingress');

    // Assess
    expect(atStart.filter((file) => file.includes('@aws-sdk/client-s3/'))).toEqual([]);
    expect(deferred.some((file) => file.includes('@aws-sdk/client-s3/'))).toBe(true);
    expect(
      atStart.filter((file) => /credential-provider-(ini|sso|process|web-identity)\//.test(file)),
    ).toEqual([]);
    expect(atStart.some((file) => file.includes('@aws-sdk/credential-provider-env/'))).toBe(true);
    expect(atStart.some((file) => file.includes('@aws-sdk/client-dynamodb/'))).toBe(true);
  });

  it('load IoT Core clients only on the paths that shut an agent out (presence, management)', () => {
    for (const handler of ['presence', 'management'] as const) {
      // Act
      const { atStart, deferred } = split(handler);

      // Assess
      expect(
        atStart.filter((file) => /@aws-sdk\/client-iot(-data-plane)?\//.test(file)),
        handler,
      ).toEqual([]);
      expect(
        deferred.some((file) => file.includes('@aws-sdk/client-iot/')),
        handler,
      ).toBe(true);
    }
  });

  it('load the KMS client in the management function only when a secret or a provider key is stored', () => {
    // Act
    const { atStart, deferred } = split('management');

    // Assess
    expect(atStart.filter((file) => file.includes('@aws-sdk/client-kms/'))).toEqual([]);
    expect(deferred.some((file) => file.includes('@aws-sdk/client-kms/'))).toBe(true);
  });

  it("bundle IoT Core's schemas of the commands the register handler sends, not of every IoT Core command", () => {
    // Prepare
    const { metafile } = built.get('register') as Built;

    // Act
    const schemaBytes = Object.values(metafile.outputs)
      .flatMap((output) => Object.entries(output.inputs))
      .filter(([input]) => input.endsWith('@aws-sdk/client-iot/dist-es/schemas/schemas_0.js'))
      .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);

    // Assess: all of them minify to about 110 KB.
    expect(schemaBytes).toBeGreaterThan(0);
    expect(schemaBytes).toBeLessThan(10 * 1024);
  });

  it('load the SNS and IoT data-plane clients of budget alerts with the first alert', () => {
    // Act
    const { atStart, deferred } = split('budgetWorker');

    // Assess
    expect(atStart.filter((file) => /@aws-sdk\/client-(sns|iot-data-plane)\//.test(file))).toEqual([]);
    expect(deferred.some((file) => file.includes('@aws-sdk/client-sns/'))).toBe(true);
  });

  it("leave zod's classic API out of a handler whose only schemas are its environment's (zod/mini)", () => {
    // Act
    const { atStart, deferred } = split('certificateSweeper');

    // Assess
    expect([...atStart, ...deferred].filter((file) => file.includes('/zod/v4/classic/'))).toEqual([]);
    expect(atStart.some((file) => file.includes('/zod/v4/mini/'))).toBe(true);
  });

  it('import no module from outside the bundle: Node built-ins come through process.getBuiltinModule', () => {
    for (const [handler, { metafile }] of built) {
      // Act
      const external = Object.values(metafile.outputs).flatMap((output) =>
        output.imports.filter((imported) => imported.external).map((imported) => imported.path),
      );

      // Assess
      expect(external, handler).toEqual([]);
    }
  });

  it('initialise the bundled ingress in a fresh Node process, which exports the handler', () => {
    // Prepare
    const { entry } = built.get('ingress') as Built;
    const script = `const m=await import(${JSON.stringify(pathToFileURL(entry).href)});process.stdout.write(typeof m.handler);`;

    // Act
    const exported = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, ...INGRESS_ENV },
      encoding: 'utf8',
    });

    // Assess
    expect(exported).toBe('function');
  });
});
