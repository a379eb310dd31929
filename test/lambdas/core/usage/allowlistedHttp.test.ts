import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../../../../lambdas/adapters/http/fetchHttpClient.ts';
import { allowlistedHttp, normaliseBaseUrl } from '../../../../lambdas/core/usage/allowlistedHttp.ts';
import { EndpointNotAllowedError } from '../../../../lambdas/core/usage/errors.ts';
import type { HttpClient, HttpRequestInit } from '../../../../lambdas/core/usage/HttpClient.ts';
import type { ScriptedHttpServer } from '../../../support/scriptedHttpServer.ts';
import { startScriptedHttpServer } from '../../../support/scriptedHttpServer.ts';

const BASE = 'https://api.openai.com';
const PATHS = ['/v1/organization/costs', '/v1/organization/usage/completions'];
const GET: HttpRequestInit = { method: 'GET', headers: { authorization: 'Bearer sk-admin-canary' } };

/** An HttpClient that only counts what reaches it: the guard must stop refused URLs before this. */
function countingHttp(): { http: HttpClient; sent: string[] } {
  const sent: string[] = [];
  const http: HttpClient = async (url) => {
    sent.push(url);
    return { status: 200, headers: new Headers(), text: async () => '{}' };
  };
  return { http, sent };
}

describe('allowlistedHttp', () => {
  it('forwards a GET to an allowlisted path, with its query', async () => {
    const { http, sent } = countingHttp();
    const guarded = allowlistedHttp({ baseUrl: BASE, paths: PATHS }, http);

    const response = await guarded(
      `${BASE}/v1/organization/costs?start_time=1730419200&bucket_width=1d`,
      GET,
    );

    expect(response.status).toBe(200);
    expect(sent).toEqual([`${BASE}/v1/organization/costs?start_time=1730419200&bucket_width=1d`]);
  });

  it.each([
    ['inference', `${BASE}/v1/chat/completions`],
    ['Anthropic inference', `${BASE}/v1/messages`],
    ['responses API', `${BASE}/v1/responses`],
    ['another host', 'https://evil.example/v1/organization/costs'],
    ['a look-alike host', 'https://api.openai.com.evil.example/v1/organization/costs'],
    ['credentials trick', 'https://api.openai.com@evil.example/v1/organization/costs'],
    ['user info', 'https://user:pass@api.openai.com/v1/organization/costs'],
    ['another port', 'https://api.openai.com:8443/v1/organization/costs'],
    ['plain http', 'http://api.openai.com/v1/organization/costs'],
    ['dot segments', `${BASE}/v1/organization/costs/../../chat/completions`],
    ['encoded dot segments', `${BASE}/v1/organization/costs/%2e%2e/%2e%2e/chat/completions`],
    ['upper-case encoded dots', `${BASE}/v1/organization/costs/%2E%2E/%2E%2E/chat/completions`],
    ['encoded slashes', `${BASE}/v1/organization/costs%2F..%2F..%2Fchat%2Fcompletions`],
    ['mixed traversal', `${BASE}/v1/organization/%2e%2e/%2e%2e/v1/chat/completions`],
    ['backslashes', `${BASE}/v1\\organization\\costs`],
    ['single dot segment', `${BASE}/v1/organization/./costs`],
    ['doubled slash', `${BASE}/v1/organization//costs`],
    ['trailing slash', `${BASE}/v1/organization/costs/`],
    ['sub-path', `${BASE}/v1/organization/costs/extra`],
    ['fragment', `${BASE}/v1/organization/costs#frag`],
    ['fragment after query', `${BASE}/v1/organization/costs?a=1#frag`],
    ['whitespace in query', `${BASE}/v1/organization/costs?a=1 2`],
    ['newline in query', `${BASE}/v1/organization/costs?a=1%0d%0a\nHost: evil`],
    ['upper-case host', 'https://API.OPENAI.COM/v1/organization/costs'],
    ['not a URL', 'not a url'],
  ])('refuses %s and sends nothing', async (_name, url) => {
    const { http, sent } = countingHttp();
    const guarded = allowlistedHttp({ baseUrl: BASE, paths: PATHS }, http);

    await expect(guarded(url, GET)).rejects.toBeInstanceOf(EndpointNotAllowedError);

    expect(sent).toEqual([]);
  });

  it('refuses any method but GET', async () => {
    const { http, sent } = countingHttp();
    const guarded = allowlistedHttp({ baseUrl: BASE, paths: PATHS }, http);

    const post = { ...GET, method: 'POST' } as unknown as HttpRequestInit;
    await expect(guarded(`${BASE}/v1/organization/costs`, post)).rejects.toThrow(/only GET/);

    expect(sent).toEqual([]);
  });

  it('never forwards a URL that parses to anything but an allowlisted endpoint', () => {
    const pathArb = fc.stringMatching(/^[a-zA-Z0-9./%\\?#@:_=&~ -]{0,40}$/);
    return fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          `${BASE}/v1/organization/costs`,
          `${BASE}/v1/organization`,
          BASE,
          'https://api.openai.co',
        ),
        pathArb,
        async (prefix, suffix) => {
          const { http, sent } = countingHttp();
          const guarded = allowlistedHttp({ baseUrl: BASE, paths: PATHS }, http);
          await guarded(`${prefix}${suffix}`, GET).catch((error: unknown) => {
            expect(error).toBeInstanceOf(EndpointNotAllowedError);
          });
          for (const url of sent) {
            const parsed = new URL(url);
            expect(parsed.origin).toBe(BASE);
            expect(PATHS).toContain(parsed.pathname);
            expect(parsed.hash).toBe('');
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  describe('over a real socket', () => {
    let server: ScriptedHttpServer;
    beforeAll(async () => {
      server = await startScriptedHttpServer(() => ({ status: 200, body: {} }));
    });
    afterAll(() => server.close());

    it('lets nothing reach the server for a refused path, and the allowed path through', async () => {
      const guarded = allowlistedHttp({ baseUrl: server.url, paths: PATHS }, fetchHttpClient());

      await expect(guarded(`${server.url}/v1/chat/completions`, GET)).rejects.toBeInstanceOf(
        EndpointNotAllowedError,
      );
      await expect(
        guarded(`${server.url}/v1/organization/costs/%2e%2e/%2e%2e/chat/completions`, GET),
      ).rejects.toBeInstanceOf(EndpointNotAllowedError);
      expect(server.requests).toHaveLength(0);

      await guarded(`${server.url}/v1/organization/costs?start_time=0`, GET);
      expect(server.requests.map((request) => request.path)).toEqual(['/v1/organization/costs']);
    });
  });
});

describe('normaliseBaseUrl', () => {
  it('accepts https hosts and loopback http, with an optional path prefix', () => {
    expect(normaliseBaseUrl('https://api.openai.com/')).toEqual({
      origin: 'https://api.openai.com',
      prefix: '',
    });
    expect(normaliseBaseUrl('https://proxy.example/openai')).toEqual({
      origin: 'https://proxy.example',
      prefix: '/openai',
    });
    expect(normaliseBaseUrl('http://127.0.0.1:8080').origin).toBe('http://127.0.0.1:8080');
    expect(normaliseBaseUrl('http://localhost:8080').origin).toBe('http://localhost:8080');
    expect(normaliseBaseUrl('http://[::1]:8080').origin).toBe('http://[::1]:8080');
  });

  it.each([
    ['http://api.openai.com', /loopback/],
    ['ftp://api.openai.com', /http and https/],
    ['https://user:pw@api.openai.com', /credentials/],
    ['https://api.openai.com?x=1', /query or fragment/],
    ['https://api.openai.com/#x', /query or fragment/],
    ['https://api.openai.com/a/../b', /canonical/],
    ['https://api.openai.com/a%2fb', /plain segments/],
    ['nonsense', /not a URL/],
  ])('rejects %s', (baseUrl, message) => {
    expect(() => normaliseBaseUrl(baseUrl)).toThrow(message);
  });
});
