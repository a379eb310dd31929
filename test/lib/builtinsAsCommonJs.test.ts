import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTINS_AS_COMMONJS } from '../../lib/builtinsAsCommonJs.ts';

/** A module that makes requests with node:http, as the agent's forwarder does. */
const REQUESTER = `
import http from 'node:http';
import { request } from 'node:https';
export const kinds = [typeof http.request, typeof request];
`;

/** Runs a bundle in a fresh Node and reports what it loaded. */
function loadedBy(bundle: string): { kinds: string[]; undici: boolean; http2: boolean } {
  const script = `const m = await import(${JSON.stringify(`file://${bundle}`)});
const list = process.moduleLoadList;
process.stdout.write(JSON.stringify({ kinds: m.kinds, undici: list.some((x) => x.includes('undici')), http2: list.includes('NativeModule http2') }));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  );
}

describe('BUILTINS_AS_COMMONJS', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'builtins-'));
    writeFileSync(join(dir, 'requester.ts'), REQUESTER);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('map every Node built-in, with and without the node: prefix, to process.getBuiltinModule', () => {
    for (const name of builtinModules) {
      // Act
      const bare = BUILTINS_AS_COMMONJS[name];
      const prefixed = BUILTINS_AS_COMMONJS[name.startsWith('node:') ? name : `node:${name}`];

      // Assess
      expect(bare, name).toBeDefined();
      expect(prefixed, name).toBe(bare);
      expect(decodeURIComponent(bare ?? '')).toContain(`process.getBuiltinModule(`);
    }
  });

  it('give back the very module object Node has, not a copy', () => {
    // Prepare
    const shim = BUILTINS_AS_COMMONJS['node:crypto'] as string;
    const source = decodeURIComponent(shim.slice('data:text/javascript,'.length));
    const module: { exports?: unknown } = {};

    // Act: run the shim as esbuild runs a CommonJS module.
    new Function('module', source)(module);

    // Assess
    expect(module.exports).toBe(process.getBuiltinModule('node:crypto'));
  });

  it('keep undici and http2 out of a bundle that only makes HTTP requests', async () => {
    // Prepare
    const options = {
      entryPoints: [join(dir, 'requester.ts')],
      bundle: true,
      platform: 'node' as const,
      format: 'esm' as const,
      logLevel: 'silent' as const,
    };
    await build({ ...options, outfile: join(dir, 'plain.mjs') });
    await build({ ...options, outfile: join(dir, 'aliased.mjs'), alias: BUILTINS_AS_COMMONJS });

    // Act
    const plain = loadedBy(join(dir, 'plain.mjs'));
    const aliased = loadedBy(join(dir, 'aliased.mjs'));

    // Assess: the ESM import of node:http reads its lazy WebSocket export, which loads undici.
    expect(plain).toEqual({ kinds: ['function', 'function'], undici: true, http2: true });
    expect(aliased).toEqual({ kinds: ['function', 'function'], undici: false, http2: false });
  });
});
