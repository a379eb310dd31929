/**
 * The guard that keeps a provider key on the provider's usage and billing endpoints (invariant 4).
 *
 * Every provider client sends through `allowlistedHttp`, which refuses — before anything leaves the
 * process — any request that is not a GET to exactly one of the listed paths under the configured base
 * URL. The match is made on the URL text as given, not on a normalised form, so dot segments
 * (`/costs/../../chat/completions`), percent-encoded variants (`%2e%2e`, `%2F`), doubled slashes,
 * backslashes, credentials, fragments, other hosts, ports or schemes never reach the network, whatever a
 * URL parser would have made of them. Redirects are never followed (the port returns 3xx as is), so a
 * billing endpoint cannot bounce the key elsewhere either.
 */
import { BadRequestError } from '../errors.ts';
import { EndpointNotAllowedError } from './errors.ts';
import type { HttpClient } from './HttpClient.ts';

export interface UsageAllowlist {
  /**
   * Where the provider's API lives, e.g. `https://api.openai.com`, or a proxy with a path prefix such as
   * `https://proxy.example/openai`. Plain `http` only for loopback hosts (tests, a local proxy).
   */
  readonly baseUrl: string;
  /** The exact paths below the base URL that may be called, e.g. `/v1/organization/costs`. */
  readonly paths: readonly string[];
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// Path characters we ever need: no '%', no '.' segments are checked separately, no '\', no whitespace.
const SAFE_PATH = /^(?:\/[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*)+$/;
const SAFE_QUERY = /^[A-Za-z0-9_.~%&=+,:*-]*$/;

export interface NormalisedBaseUrl {
  /** `scheme://host[:port]` exactly as `URL` prints it. */
  readonly origin: string;
  /** Path prefix without a trailing slash, '' when none. */
  readonly prefix: string;
}

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Validates a provider base URL: http(s) only, https unless the host is loopback, no credentials, query or
 * fragment, and a plain path prefix.
 *
 * @example
 * normaliseBaseUrl('https://api.openai.com/'); // { origin: 'https://api.openai.com', prefix: '' }
 */
export function normaliseBaseUrl(baseUrl: string): NormalisedBaseUrl {
  const fail = (reason: string) =>
    new BadRequestError('invalid_base_url', `Invalid provider base URL: ${reason}`, { reason });
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw fail('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail('only http and https are supported');
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw fail('plain http is only allowed for loopback hosts; keys must not cross the network unencrypted');
  }
  if (url.username || url.password) throw fail('credentials in the URL are not allowed');
  if (url.search || url.hash || baseUrl.includes('?') || baseUrl.includes('#')) {
    throw fail('a query or fragment is not allowed');
  }
  const prefix = url.pathname.replace(/\/+$/, '');
  if (prefix !== '' && !SAFE_PATH.test(prefix)) throw fail('the path prefix may only hold plain segments');
  // The parser must not have rewritten the text (dot segments, encodings, backslashes).
  const expected = `${url.origin}${prefix}`;
  if (baseUrl.replace(/\/+$/, '') !== expected) throw fail('the URL is not in canonical form');
  return { origin: url.origin, prefix };
}

/**
 * Wraps `http` so that it only ever sends GET requests to `allowlist.paths` under `allowlist.baseUrl`.
 *
 * @example
 * const http = allowlistedHttp({ baseUrl: 'https://api.openai.com', paths: ['/v1/organization/costs'] }, fetchHttpClient());
 * await http('https://api.openai.com/v1/chat/completions', init); // throws EndpointNotAllowedError, sends nothing
 */
export function allowlistedHttp(allowlist: UsageAllowlist, http: HttpClient): HttpClient {
  const base = normaliseBaseUrl(allowlist.baseUrl);
  for (const path of allowlist.paths) {
    if (!SAFE_PATH.test(path)) {
      throw new BadRequestError('invalid_allowlist', 'Allowlisted paths must be plain absolute paths', {
        path,
      });
    }
  }
  const allowed = new Set(allowlist.paths.map((path) => `${base.origin}${base.prefix}${path}`));

  return (url, init) => {
    const refuse = (reason: string) => {
      let where: Record<string, unknown> = {};
      try {
        const parsed = new URL(url);
        where = { host: parsed.host, path: parsed.pathname.slice(0, 200) };
      } catch {
        // Nothing to report about an unparsable URL.
      }
      return Promise.reject(new EndpointNotAllowedError(reason, where));
    };
    if (typeof url !== 'string') return refuse('the URL is not a string');
    if (init.method !== 'GET') return refuse('only GET requests are allowed');
    const queryStart = url.indexOf('?');
    const target = queryStart === -1 ? url : url.slice(0, queryStart);
    const query = queryStart === -1 ? '' : url.slice(queryStart + 1);
    if (!allowed.has(target))
      return refuse('the endpoint is not a usage or billing endpoint of this provider');
    if (!SAFE_QUERY.test(query)) return refuse('the query string holds characters a usage query never needs');
    // Defence in depth: the parsed form must agree with the text we matched.
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return refuse('the URL does not parse');
    }
    if (`${parsed.origin}${parsed.pathname}` !== target || parsed.hash !== '' || parsed.username !== '') {
      return refuse('the URL is not in canonical form');
    }
    return http(url, init);
  };
}
