import fc from 'fast-check';
import type { WebhookRequest } from '../../../../../../lambdas/core/WebhookRequest.ts';

/** What a test states about a request; the rest is derived the way the ingress derives it. */
export interface RequestSpec {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

/** Builds a WebhookRequest as the ingress would hand it to a verifier: lower-case headers, body as bytes. */
export function webhookRequest(spec: RequestSpec): WebhookRequest {
  const queryStart = spec.url.indexOf('?');
  const afterAuthority = spec.url.replace(/^[a-z]+:\/\/[^/?#]*/i, '');
  const pathEnd = afterAuthority.indexOf('?');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.headers ?? {})) headers[name.toLowerCase()] = value;
  return {
    method: spec.method ?? 'POST',
    url: spec.url,
    path: pathEnd === -1 ? afterAuthority : afterAuthority.slice(0, pathEnd),
    query: queryStart === -1 ? '' : spec.url.slice(queryStart + 1),
    headers,
    body:
      typeof spec.body === 'string' ? new TextEncoder().encode(spec.body) : (spec.body ?? new Uint8Array()),
  };
}

/**
 * Hostile requests: random bytes as body, and the provider's own header names (plus random ones) with
 * random values, some plausible-looking, some not.
 */
export function arbitraryRequest(headerNames: readonly string[]): fc.Arbitrary<WebhookRequest> {
  const headerValue = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.base64String({ maxLength: 120 }),
    fc.stringMatching(/^[0-9a-f]{0,140}$/),
    fc.stringMatching(/^[0-9]{0,16}$/),
    fc.constantFrom('', ',', 'v1,', 'whsec_', 'application/json', 'application/x-www-form-urlencoded'),
    fc.constantFrom(
      'a'.repeat(20_000),
      Array.from({ length: 100 }, () => 'v1,AAAA').join(' '),
      '\u0000\uffff',
    ),
  );
  const names = fc.oneof(fc.constantFrom(...headerNames, 'content-type'), fc.string({ maxLength: 20 }));
  return fc
    .record({
      method: fc.constantFrom('POST', 'GET', 'PUT', ''),
      url: fc.oneof(
        fc.webUrl({ withQueryParameters: true }),
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.constantFrom(
          'https://hooks.example.com/v1/hooks/agent/source?bodySHA256=zz',
          'https://hooks.example.com/\ud800/x?q=\udc00&r=%ZZ',
          'https://[::1/x',
        ),
      ),
      headers: fc.dictionary(names, headerValue, { maxKeys: 8 }),
      body: fc.oneof(
        fc.uint8Array({ maxLength: 512 }),
        fc.json().map((text) => new TextEncoder().encode(text)),
      ),
    })
    .map(({ method, url, headers, body }) => webhookRequest({ method, url, headers, body }));
}
