// Bundles the `clawpulsar` CLI (which also hosts the local edge and the agent) into dist/.
// Dependencies stay external: they are installed beside the package.
import { build } from 'esbuild';

await build({
  entryPoints: { clawpulsar: 'bin/clawpulsar.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  sourcemap: true,
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
