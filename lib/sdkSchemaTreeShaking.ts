import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** The AWS SDK's generated schema modules: `@aws-sdk/client-iot/dist-es/schemas/schemas_0.js`, the nested clients'. */
const SCHEMA_MODULE =
  /[\\/]node_modules[\\/]@aws-sdk[\\/].+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/;

/** `const _h = "http";` on a line of its own: the module's string constants. */
const STRING_CONSTANT = /^const ([A-Za-z_$][\w$]*) = ("(?:[^"\\\n]|\\.)*");$/gm;

/** A computed key that names a variable: `{ [_h]: [...] }`. */
const COMPUTED_KEY = /\[([A-Za-z_$][\w$]*)\]:/g;

/**
 * Anything that could give a constant's name another meaning somewhere in the module: a function, a
 * `catch`, an arrow with parameters (`(a) =>`, `a =>`; the schemas' parameterless `() => X$` thunks can't
 * bind a name), a class, a destructuring declaration.
 */
const NESTED_BINDING =
  /\bfunction\b|\bcatch\b|\bclass\s+[A-Za-z_$]|[\w$]\s*\)?\s*=>|\b(?:const|let|var)\s*[[{]/;

/** Plain declarations: `const _h`, `export var A$`. */
const DECLARATION = /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)/g;

/**
 * Writes the string constant behind each computed key of a generated SDK schema module into the key:
 * `{ [_h]: ["PATCH", "/things/{thingName}", 200] }` becomes `{ ["http"]: [...] }`. The value is the same
 * (a `const` bound to a string literal, replaced by that literal), but esbuild can now see that the
 * object literal runs no code, so a schema that no command reaches is dropped from the bundle instead of
 * kept for a key's possible side effects (IoT Core's 110 KB of schemas, of which `register` uses 5 KB).
 *
 * Returns the source unchanged unless each name is declared once and nothing can bind it anew (see
 * NESTED_BINDING): only then does every `[_h]` certainly mean the module's constant.
 *
 * @example
 * inlineSchemaKeys('const _h = "http";\nexport var A$ = [9, n0, _A, { [_h]: ["GET", "/a", 200] }];')
 * // 'const _h = "http";\nexport var A$ = [9, n0, _A, { ["http"]: ["GET", "/a", 200] }];'
 */
export function inlineSchemaKeys(source: string): string {
  if (NESTED_BINDING.test(source)) return source;
  const constants = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT)) {
    constants.set(name as string, literal as string);
  }
  const declared = [...source.matchAll(DECLARATION)].map(([, name]) => name as string);
  // A name declared twice (a block's `let` of the same name) is not provably the constant.
  if (declared.length !== new Set(declared).size) return source;
  return source.replace(COMPUTED_KEY, (key, name: string) => {
    const literal = constants.get(name);
    return literal === undefined ? key : `[${literal}]:`;
  });
}

/**
 * esbuild plugin: the AWS SDK's schema modules with their keys inlined (see inlineSchemaKeys), so a
 * handler bundles the schemas of the commands it sends rather than of every command of the service.
 *
 * @example
 * await esbuild.build({ entryPoints, bundle: true, plugins: [sdkSchemaTreeShaking()] });
 */
export function sdkSchemaTreeShaking(): Plugin {
  return {
    name: 'sdk-schema-tree-shaking',
    setup(build) {
      build.onLoad({ filter: SCHEMA_MODULE }, async (args) => ({
        contents: inlineSchemaKeys(await readFile(args.path, 'utf8')),
        loader: 'js',
      }));
    },
  };
}
