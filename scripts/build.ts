// Bundles the `clawpulsar` CLI (which also hosts the local edge and the agent) into dist/, and the web
// dashboard (TypeScript, CSS with uPlot's, HTML) into dist/dashboard/. The CLI's dependencies stay
// external: they are installed beside the package; the dashboard carries everything it needs, no CDN.
import { copyFileSync, mkdirSync } from 'node:fs';
import { build } from 'esbuild';
import { BUILTINS_AS_COMMONJS } from '../lib/builtinsAsCommonJs.ts';

await Promise.all([
  build({
    entryPoints: { clawpulsar: 'bin/clawpulsar.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.mjs' },
    // Each command is its own chunk, loaded only when that command runs.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    alias: BUILTINS_AS_COMMONJS,
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
  }),
  build({
    entryPoints: { dashboard: 'bin/dashboard/main.ts', 'dashboard-style': 'bin/dashboard/dashboard.css' },
    outdir: 'dist/dashboard',
    entryNames: '[name]',
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari17'],
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
  }),
]);
mkdirSync('dist/dashboard', { recursive: true });
copyFileSync('bin/dashboard/index.html', 'dist/dashboard/index.html');
