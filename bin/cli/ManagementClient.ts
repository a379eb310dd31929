import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { defaultEdgeDir } from '../../lambdas/edge/edgePaths.ts';

/** What the local edge writes at start so the CLI can find it. */
export const edgeInfoSchema = z.object({
  url: z.string().url(),
  tokenFile: z.string(),
  pid: z.number().int(),
});

export class ManagementError extends Error {
  override name = 'ManagementError';
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface ManagementTarget {
  readonly url: string;
  readonly token: string;
}

/**
 * Finds the management API: `--edge URL` with `--token-file F` (or CLAWPULSAR_TOKEN), else the local
 * edge described in the data dir's `edge.json`.
 */
export function resolveManagementTarget(options: {
  edge?: string;
  tokenFile?: string;
  dataDir?: string;
}): ManagementTarget {
  if (options.edge) {
    const token = options.tokenFile
      ? readFileSync(options.tokenFile, 'utf8').trim()
      : process.env.CLAWPULSAR_TOKEN;
    if (!token) throw new Error('Give the management token with --token-file F or CLAWPULSAR_TOKEN');
    return { url: options.edge.replace(/\/$/, ''), token };
  }
  const dir = options.dataDir ?? defaultEdgeDir();
  const infoPath = join(dir, 'edge.json');
  if (!existsSync(infoPath)) {
    throw new Error(`No local edge found in ${dir}. Start one with \`clawpulsar dev\` (or pass --edge URL).`);
  }
  const info = edgeInfoSchema.parse(JSON.parse(readFileSync(infoPath, 'utf8')));
  return { url: info.url, token: readFileSync(info.tokenFile, 'utf8').trim() };
}

/**
 * A small client of the management API (the CLI and the dashboard's server side use it).
 *
 * @example
 * const agents = await new ManagementClient(target).request('GET', '/v1/agents');
 */
export class ManagementClient {
  readonly #target: ManagementTarget;

  constructor(target: ManagementTarget) {
    this.#target = target;
  }

  get baseUrl(): string {
    return this.#target.url;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await this.requestText(method, path, body);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Like `request`, but returns the body as text (a CSV export). Errors are read as JSON. */
  async requestText(method: string, path: string, body?: unknown): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${this.#target.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#target.token}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      throw new ManagementError(0, 'unreachable', `Cannot reach ${this.#target.url}; is the edge running?`);
    }
    const text = await response.text();
    if (!response.ok) {
      let json: { error?: { code: string; message: string } } = {};
      try {
        json = text ? (JSON.parse(text) as typeof json) : {};
      } catch {
        // Not our JSON: fall back to the status text.
      }
      throw new ManagementError(
        response.status,
        json.error?.code ?? 'error',
        json.error?.message ?? response.statusText,
      );
    }
    return text;
  }
}
