/**
 * The `HttpClient` port on the platform's `fetch` (Node's built-in undici). Redirects are never followed,
 * so a provider (or anyone in its path) cannot bounce a key to another URL, and bodies are read with a
 * size cap so a hostile endpoint cannot exhaust memory.
 */

import { ProviderResponseError } from '../../core/usage/errors.ts';
import type { HttpClient } from '../../core/usage/HttpClient.ts';

export interface FetchHttpClientOptions {
  /** Largest body read, in bytes (default 10 MiB; a year of daily cost buckets is a few hundred KiB). */
  readonly maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

async function readCapped(response: Response, host: string, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  const tooLarge = () => new ProviderResponseError(host, `the body is larger than ${maxBytes} bytes`);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let size = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/**
 * Creates an `HttpClient` backed by `fetch`.
 *
 * @example
 * const http = fetchHttpClient();
 * const client = openaiClient({ adminKey, http });
 */
export function fetchHttpClient(options: FetchHttpClientOptions = {}): HttpClient {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return async (url, init) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: init.method,
        headers: init.headers,
        signal: init.signal ?? null,
        redirect: 'manual',
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      // undici reports "fetch failed" and hides the reason in `cause`; surface the reason only (it never
      // holds a header value).
      const cause =
        error instanceof Error
          ? (error.cause as { code?: unknown; message?: unknown } | undefined)
          : undefined;
      const reason =
        typeof cause?.code === 'string'
          ? cause.code
          : typeof cause?.message === 'string'
            ? cause.message
            : 'network error';
      throw new Error(`connection failed: ${reason}`, { cause: error });
    }
    const host = new URL(url).host;
    return {
      status: response.status,
      headers: response.headers,
      text: () => readCapped(response, host, maxBodyBytes),
    };
  };
}
