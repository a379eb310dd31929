import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
};

/**
 * Headers of every dashboard response: scripts and styles only from this origin (nothing inline, no
 * CDN), no framing, no referrer (a login link must not leak), no MIME sniffing.
 */
export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Where the built dashboard lives: `dist/dashboard/` beside the bundled CLI (whose code may sit in
 * `dist/` or in `dist/chunks/`), or, when this module runs from source (tests), the repository's
 * `dist/dashboard/` that the build wrote.
 */
export function defaultDashboardAssetsDir(): string {
  const candidates = ['./dashboard/', '../dashboard/', '../../../dist/dashboard/'].map((relativePath) =>
    fileURLToPath(new URL(relativePath, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? (candidates[0] as string);
}

/**
 * The dashboard's static files, read once into memory (a few hundred KB). Only files that exist in the
 * built directory are served: no path from a request ever reaches the file system.
 *
 * @example
 * const assets = DashboardAssets.load(defaultDashboardAssetsDir());
 * assets.serve(res, 'dashboard.js');
 */
export class DashboardAssets {
  readonly #files: ReadonlyMap<string, { type: string; body: Buffer }>;

  private constructor(files: ReadonlyMap<string, { type: string; body: Buffer }>) {
    this.#files = files;
  }

  /** Reads the built dashboard; an empty set (every page answers 503) when it was not built. */
  static load(dir: string): DashboardAssets {
    const files = new Map<string, { type: string; body: Buffer }>();
    if (existsSync(dir)) {
      for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const path = join(entry.parentPath, entry.name);
        const type = TYPES[extname(entry.name)];
        if (type) files.set(relative(dir, path).split('\\').join('/'), { type, body: readFileSync(path) });
      }
    }
    return new DashboardAssets(files);
  }

  get built(): boolean {
    return this.#files.has('index.html');
  }

  /** Writes the file `name` (relative to the dashboard root; '' is index.html) or a 404. */
  serve(res: ServerResponse, name: string): void {
    const file = this.#files.get(name === '' ? 'index.html' : name);
    if (!file) {
      const status = this.built ? 404 : 503;
      res
        .writeHead(status, { ...DASHBOARD_SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' })
        .end(status === 404 ? 'Not found' : 'The dashboard was not built: run `npm run build`');
      return;
    }
    res
      .writeHead(200, {
        ...DASHBOARD_SECURITY_HEADERS,
        'content-type': file.type,
        'content-length': String(file.body.byteLength),
        'cache-control': 'no-cache',
      })
      .end(file.body);
  }
}
