import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Metafile } from 'esbuild';
import { BUILTINS_AS_COMMONJS } from './builtinsAsCommonJs.ts';
import { sdkSchemaTreeShaking } from './sdkSchemaTreeShaking.ts';

/** The handlers under lambdas/handlers/, each exporting `handler` (see lambdas/handlers/env.ts). */
export const HANDLER_NAMES = [
  'ingress',
  'register',
  'management',
  'dispatcher',
  'ack',
  'renew',
  'presence',
  'certificateSweeper',
  'caBootstrap',
  'budgetPoller',
  'budgetWorker',
] as const;

export type HandlerName = (typeof HANDLER_NAMES)[number];

/** The module Lambda loads (`index.handler` is `index.mjs`); the chunks it imports sit under chunks/. */
export const HANDLER_MODULE = 'index';

const TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));

/**
 * How every Lambda handler is bundled: the stack (HandlerFunction) builds with exactly these options and
 * so does `npm run bench -- lambdas`, so the bundle measured is the bundle deployed.
 *
 * - The AWS SDK v3 is bundled, not taken from the runtime: its ESM builds tree-shake to the commands we
 *   send, and loading the runtime's CommonJS packages from disk measured slower (and a runtime SDK of
 *   another version than the one tested).
 * - Code splitting: what a handler needs at start is the entry file and the chunks it imports
 *   statically; code behind a dynamic `import()` (the SDK's credential providers other than the
 *   environment's, the S3 client of the claim-check path) is in chunks a cold start never reads.
 * - Node built-ins are loaded through `process.getBuiltinModule` (see BUILTINS_AS_COMMONJS).
 * - The SDK's schema modules are made tree-shakable (sdkSchemaTreeShaking): a handler carries the schemas
 *   of the commands it sends, not of every command of the service. The plugin needs esbuild's
 *   asynchronous API (`build`, not `buildSync`).
 *
 * @example
 * await esbuild.build(handlerBuildOptions('ingress', 'dist/ingress'));
 */
export function handlerBuildOptions(handler: HandlerName, outdir: string) {
  return {
    entryPoints: {
      [HANDLER_MODULE]: fileURLToPath(new URL(`../lambdas/handlers/${handler}.ts`, import.meta.url)),
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    sourcemap: false,
    // ESM builds of dependencies (`module`) tree-shake; the handlers' `.ts` specifiers resolve as is.
    mainFields: ['module', 'main'],
    alias: BUILTINS_AS_COMMONJS,
    plugins: [sdkSchemaTreeShaking()],
    tsconfig: TSCONFIG,
    metafile: true,
    logLevel: 'error',
  } satisfies BuildOptions;
}

/**
 * The output files a cold start of the handler reads: its entry module and, transitively, the chunks
 * imported statically (those behind a dynamic `import()` load only when that code runs). Paths as the
 * metafile gives them.
 *
 * @example
 * const { metafile } = await esbuild.build(handlerBuildOptions('ingress', outdir));
 * coldStartOutputs(metafile, join(outdir, `${HANDLER_MODULE}.mjs`));
 */
export function coldStartOutputs(metafile: Metafile, entryFile: string): string[] {
  const outputs = metafile.outputs;
  const entry = Object.keys(outputs).find((file) => resolve(file) === resolve(entryFile));
  if (entry === undefined) throw new Error(`${entryFile} is not an output of this build`);
  const loaded = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (loaded.has(file)) continue;
    loaded.add(file);
    for (const imported of outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && imported.path in outputs) pending.push(imported.path);
    }
  }
  return [...loaded];
}
