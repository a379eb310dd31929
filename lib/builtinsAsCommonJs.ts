import { builtinModules } from 'node:module';

/**
 * Node built-ins as CommonJS modules: `process.getBuiltinModule` hands back the module object itself.
 * An ESM `import` of a built-in makes Node build a namespace facade that reads every export once, which
 * runs the lazy getters behind them: `node:http`'s WebSocket getter loads the whole of undici (~35 ms),
 * `node:fs`'s ReadStream the file streams, `node:crypto`'s webcrypto — none of which a handler uses.
 * esbuild wraps these modules like any CommonJS dependency, so a named import is a property read when
 * the code runs. Both bundles use it as their `alias`: the Lambda handlers and the CLI, whose long-running
 * agent would otherwise hold undici and http2 (~2 MB of heap) for a `node:http` it only makes requests with.
 *
 * @example
 * await esbuild.build({ entryPoints, bundle: true, platform: 'node', alias: BUILTINS_AS_COMMONJS });
 */
export const BUILTINS_AS_COMMONJS: Record<string, string> = Object.fromEntries(
  builtinModules.flatMap((name) => {
    const specifier = name.startsWith('node:') ? name : `node:${name}`;
    // The trailing comment names the chunk of a built-in imported dynamically (chunks/node-http-….mjs).
    const shim = `data:text/javascript,module.exports=process.getBuiltinModule(${JSON.stringify(specifier)})//${specifier.replace(/[:/]/g, '-')}`;
    return specifier === name
      ? [[name, shim]]
      : [
          [name, shim],
          [specifier, shim],
        ];
  }),
);
