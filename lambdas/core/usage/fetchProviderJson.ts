/**
 * One GET to a provider's usage/billing endpoint, done properly: a timeout on every attempt, bounded
 * retries on 429 that honour Retry-After, clear errors for 401/403, 3xx, 5xx and network failures, and the
 * body validated with zod so a missing field is named rather than read as zero spend.
 */
import type * as z from 'zod';
import { ClawPulsarError } from '../errors.ts';
import {
  ProviderAuthError,
  ProviderRateLimitedError,
  ProviderResponseError,
  ProviderUnavailableError,
} from './errors.ts';
import type { HttpClient, HttpResponse } from './HttpClient.ts';

/** Waits `ms`, or rejects when `signal` aborts. Injected so tests need not wait. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface ProviderRequestOptions {
  /** Per-attempt timeout (default 30 s). */
  readonly timeoutMs?: number;
  /** How many times a 429 is retried before giving up (default 3). */
  readonly maxRetries?: number;
  /** The longest Retry-After the client will wait; longer asks fail at once (default 60 s). */
  readonly maxRetryAfterMs?: number;
  readonly sleep?: Sleep;
  /** Cancels the whole operation, waits included. */
  readonly signal?: AbortSignal;
  /** Clock for HTTP-date Retry-After values (default `Date.now`). */
  readonly now?: () => number;
}

export interface ProviderRequest<T> {
  /** Provider name for messages, e.g. "OpenAI". */
  readonly provider: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly schema: z.ZodType<T>;
  /** What the key needs, shown on 401/403. */
  readonly authRequirement: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIES = 3;
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;
const FALLBACK_BACKOFF_MS = 1_000;

/** Real sleep for production use. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Parses a Retry-After header: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when absent or
 * malformed.
 *
 * @example
 * parseRetryAfter('2', Date.now()); // 2000
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[A-Za-z]/.test(text)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Formats zod issues as "data[0].amount.value: expected number, received undefined". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): { message: string; fields: string[] } {
  const fields: string[] = [];
  const parts = issues.slice(0, 5).map((issue) => {
    let field = '';
    for (const key of issue.path) {
      field += typeof key === 'number' ? `[${key}]` : field === '' ? String(key) : `.${String(key)}`;
    }
    field ||= '(root)';
    fields.push(field);
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    return missing ? `${field} is missing` : `${field}: ${issue.message}`;
  });
  return { message: parts.join('; '), fields };
}

async function attempt(http: HttpClient, request: ProviderRequest<unknown>, options: ProviderRequestOptions) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const response = await http(request.url, { method: 'GET', headers: request.headers, signal });
    // Read every body (adapters cap the size) so the connection is released, but only 200s are parsed.
    return { response, body: await response.text() };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (timeout.aborted) {
      throw new ProviderUnavailableError(
        request.provider,
        `${request.provider} did not answer within ${timeoutMs} ms. Check the network or try again later.`,
        { timeoutMs },
        { cause: error },
      );
    }
    // A refusal by the allowlist or the adapter is ours, not the network's: pass it on unchanged.
    if (error instanceof ClawPulsarError) throw error;
    throw new ProviderUnavailableError(
      request.provider,
      `${request.provider} could not be reached (${error instanceof Error ? error.message : 'network error'}). Check the base URL and the network.`,
      {},
      { cause: error },
    );
  }
}

function checkStatus(provider: string, response: HttpResponse, authRequirement: string): void {
  const { status } = response;
  if (status === 401 || status === 403) throw new ProviderAuthError(provider, status, authRequirement);
  if (status >= 300 && status < 400) {
    throw new ProviderResponseError(
      provider,
      `HTTP ${status} redirect; redirects are never followed with a key`,
      {
        status,
      },
    );
  }
  if (status >= 500) {
    throw new ProviderUnavailableError(provider, `${provider} failed with HTTP ${status}. Try again later.`, {
      status,
    });
  }
  if (status !== 200) throw new ProviderResponseError(provider, `HTTP ${status}`, { status });
}

/**
 * GETs `request.url` through `http` and returns the body validated by `request.schema`.
 *
 * @example
 * const page = await fetchProviderJson(http, { provider: 'OpenAI', url, headers, schema, authRequirement }, {});
 */
export async function fetchProviderJson<T>(
  http: HttpClient,
  request: ProviderRequest<T>,
  options: ProviderRequestOptions = {},
): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  const now = options.now ?? Date.now;

  for (let retry = 0; ; retry++) {
    const { response, body } = await attempt(http, request, options);
    if (response.status === 429) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now());
      if (retry >= maxRetries || (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs)) {
        throw new ProviderRateLimitedError(request.provider, retryAfterMs);
      }
      await sleep(retryAfterMs ?? FALLBACK_BACKOFF_MS * 2 ** retry, options.signal);
      continue;
    }
    checkStatus(request.provider, response, request.authRequirement);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ProviderResponseError(request.provider, 'the body is not valid JSON');
    }
    const parsed = request.schema.safeParse(json);
    if (!parsed.success) {
      const { message, fields } = describeIssues(parsed.error.issues);
      throw new ProviderResponseError(request.provider, message, { fields });
    }
    return parsed.data;
  }
}
