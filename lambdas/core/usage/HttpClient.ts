/**
 * The HTTP port the provider clients use. The runtime adapter is the platform's `fetch`
 * (`lambdas/adapters/http/fetchHttpClient.ts`); tests and proxies supply their own base URL, never their
 * own client logic.
 *
 * The port is deliberately narrow: GET only, no body, headers as a plain record. Usage and billing reads
 * need nothing more, and an inference call (which needs a POST with a body) cannot be expressed.
 */

export interface HttpRequestInit {
  readonly method: 'GET';
  readonly headers: Readonly<Record<string, string>>;
  /** Aborts the request (timeout or caller cancellation). */
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  /** The body as text. Adapters cap its size. */
  text(): Promise<string>;
}

/** Sends one request. Must not follow redirects: a 3xx is returned as is. */
export type HttpClient = (url: string, init: HttpRequestInit) => Promise<HttpResponse>;
