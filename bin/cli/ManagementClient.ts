import * as z from 'zod';
import type { ManagementTarget } from './ManagementTarget.ts';

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

/** A request body: the exact bytes and their content type. */
export interface ManagementBody {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
}

const TIMEOUT_MS = 15_000;

/**
 * A small client of the management API (the CLI and the dashboard's server side use it). How a request
 * is authenticated (bearer token, SigV4) is the target's business; sending and reading errors is here.
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

  /** Where agents register: `clawpulsar agent register --edge {edgeUrl}`. */
  get edgeUrl(): string {
    return this.#target.edgeUrl;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const text = await this.requestText(method, path, body);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Like `request`, but returns the body as text (a CSV export). Errors are read as JSON. */
  async requestText(method: string, path: string, body?: unknown): Promise<string> {
    const response = await this.send(
      method,
      path,
      body === undefined
        ? undefined
        : { bytes: Buffer.from(JSON.stringify(body)), contentType: 'application/json' },
    );
    const text = await response.text();
    if (!response.ok) throw this.#refusal(response, text);
    return text;
  }

  /**
   * Sends one request (`pathAndQuery` like `/v1/deliveries?limit=10`) with the target's credentials and
   * returns the answer whatever its status; only an unreachable API is an error (`unreachable`).
   */
  async send(method: string, pathAndQuery: string, body?: ManagementBody): Promise<Response> {
    const url = new URL(`${this.#target.url}${pathAndQuery}`);
    const headers: Record<string, string> = body ? { 'content-type': body.contentType } : {};
    const credentials = await this.#target.authorize({
      method,
      url,
      headers,
      ...(body ? { body: body.bytes } : {}),
    });
    try {
      return await fetch(url, {
        method,
        headers: { ...headers, ...credentials },
        ...(body ? { body: body.bytes } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw new ManagementError(
        0,
        'unreachable',
        `Cannot reach ${this.#target.url}; ${this.#target.advice.unreachable}`,
      );
    }
  }

  /** Our API answers `{ error: { code, message } }`; API Gateway's own refusals `{ message }`. */
  #refusal(response: Response, text: string): ManagementError {
    let json: { error?: { code?: unknown; message?: unknown }; message?: unknown } = {};
    try {
      json = text ? (JSON.parse(text) as typeof json) : {};
    } catch {
      // Not JSON: fall back to the status text.
    }
    if (typeof json.error?.code === 'string') {
      const message = typeof json.error.message === 'string' ? json.error.message : response.statusText;
      return new ManagementError(response.status, json.error.code, message);
    }
    const message = typeof json.message === 'string' ? json.message : response.statusText;
    if (response.status === 401 || response.status === 403) {
      return new ManagementError(
        response.status,
        'forbidden',
        `${message || 'Forbidden'}: ${this.#target.advice.refused}`,
      );
    }
    return new ManagementError(response.status, 'error', message);
  }
}
