import type { WebhookRequest } from '../../../../../lambdas/core/WebhookRequest.ts';

/** Builds a WebhookRequest the way the ingress hands one to a verifier: lower-case headers, body as bytes. */
export function signedRequest(spec: {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Uint8Array;
  readonly url?: string;
  readonly method?: string;
}): WebhookRequest {
  const url = new URL(spec.url ?? 'https://hooks.example.com/v1/hooks/agent-1/source-1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.headers)) headers[name.toLowerCase()] = value;
  return {
    method: spec.method ?? 'POST',
    url: url.href,
    path: url.pathname,
    query: url.search.slice(1),
    headers,
    body: typeof spec.body === 'string' ? new TextEncoder().encode(spec.body) : spec.body,
  };
}

/** A pretty-printed JSON body with non-ASCII text and escapes: re-serialising it changes its bytes. */
export function prettyJsonBody(fields: Record<string, unknown>): string {
  return `${JSON.stringify({ ...fields, note: 'café ☕ naïve' }, null, 2).replace('☕', '\\u2615')}\n`;
}
