import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { fetchHttpClient } from '../../../../lambdas/adapters/http/fetchHttpClient.ts';
import {
  ProviderAuthError,
  ProviderRateLimitedError,
  ProviderResponseError,
  ProviderUnavailableError,
} from '../../../../lambdas/core/usage/errors.ts';
import type { Sleep } from '../../../../lambdas/core/usage/fetchProviderJson.ts';
import { fetchProviderJson, parseRetryAfter } from '../../../../lambdas/core/usage/fetchProviderJson.ts';
import type { ScriptedHttpServer, ScriptedResponse } from '../../../support/scriptedHttpServer.ts';
import { startScriptedHttpServer } from '../../../support/scriptedHttpServer.ts';

const schema = z.object({ total: z.object({ value: z.number() }), has_more: z.boolean() });
const OK: ScriptedResponse = {
  status: 200,
  body: { total: { value: 1 }, has_more: false, extra: 'ignored' },
};

let server: ScriptedHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(script: ScriptedResponse[]): Promise<ScriptedHttpServer> {
  server = await startScriptedHttpServer((_request, index) => script[Math.min(index, script.length - 1)]!);
  return server;
}

function recordingSleep(): { sleep: Sleep; waits: number[] } {
  const waits: number[] = [];
  return { sleep: async (ms) => void waits.push(ms), waits };
}

function request(url: string) {
  return {
    provider: 'Example',
    url: `${url}/v1/organization/costs`,
    headers: { authorization: 'Bearer sk-admin-canary' },
    schema,
    authRequirement: 'Use an admin key with read-only permission.',
  };
}

describe('fetchProviderJson', () => {
  it('returns the validated body, letting unknown fields pass', async () => {
    const { url } = await serve([OK]);

    const body = await fetchProviderJson(fetchHttpClient(), request(url));

    expect(body).toEqual({ total: { value: 1 }, has_more: false });
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    const { url, requests } = await serve([
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 429, headers: { 'retry-after': '0' } },
      OK,
    ]);
    const { sleep, waits } = recordingSleep();

    const body = await fetchProviderJson(fetchHttpClient(), request(url), { sleep });

    expect(body.total.value).toBe(1);
    expect(waits).toEqual([2000, 0]);
    expect(requests).toHaveLength(3);
  });

  it('understands an HTTP-date Retry-After', async () => {
    const now = Date.parse('2025-03-01T12:00:00Z');
    const { url } = await serve([
      { status: 429, headers: { 'retry-after': 'Sat, 01 Mar 2025 12:00:05 GMT' } },
      OK,
    ]);
    const { sleep, waits } = recordingSleep();

    await fetchProviderJson(fetchHttpClient(), request(url), { sleep, now: () => now });

    expect(waits).toEqual([5000]);
  });

  it('backs off exponentially when a 429 has no Retry-After', async () => {
    const { url } = await serve([{ status: 429 }, { status: 429 }, OK]);
    const { sleep, waits } = recordingSleep();

    await fetchProviderJson(fetchHttpClient(), request(url), { sleep });

    expect(waits).toEqual([1000, 2000]);
  });

  it('gives up after the retry budget with a rate-limit error', async () => {
    const { url, requests } = await serve([{ status: 429, headers: { 'retry-after': '1' } }]);
    const { sleep } = recordingSleep();

    const failure = fetchProviderJson(fetchHttpClient(), request(url), { sleep, maxRetries: 2 });

    await expect(failure).rejects.toBeInstanceOf(ProviderRateLimitedError);
    expect(requests).toHaveLength(3);
  });

  it('does not wait when Retry-After asks for longer than the cap', async () => {
    const { url, requests } = await serve([{ status: 429, headers: { 'retry-after': '3600' } }, OK]);
    const { sleep, waits } = recordingSleep();

    const failure = fetchProviderJson(fetchHttpClient(), request(url), { sleep, maxRetryAfterMs: 60_000 });

    await expect(failure).rejects.toThrow(/wait 3600 s/);
    expect(waits).toEqual([]);
    expect(requests).toHaveLength(1);
  });

  it.each([401, 403])('turns %i into an auth error saying which key is needed', async (status) => {
    const { url } = await serve([{ status, body: { error: { message: 'invalid key' } } }]);

    const failure = fetchProviderJson(fetchHttpClient(), request(url));

    await expect(failure).rejects.toBeInstanceOf(ProviderAuthError);
    await expect(failure).rejects.toThrow(/read-only permission/);
  });

  it.each([500, 502, 503, 529])('turns %i into an unavailable error', async (status) => {
    const { url } = await serve([{ status }]);

    await expect(fetchProviderJson(fetchHttpClient(), request(url))).rejects.toBeInstanceOf(
      ProviderUnavailableError,
    );
  });

  it('never follows a redirect with the key', async () => {
    const { url, requests } = await serve([
      { status: 302, headers: { location: '/v1/chat/completions' } },
      OK,
    ]);

    await expect(fetchProviderJson(fetchHttpClient(), request(url))).rejects.toThrow(/redirect/);

    expect(requests.map((r) => r.path)).toEqual(['/v1/organization/costs']);
  });

  it('names a missing field instead of reading it as zero', async () => {
    const { url } = await serve([{ status: 200, body: { total: {}, has_more: false } }]);

    const failure = fetchProviderJson(fetchHttpClient(), request(url));

    await expect(failure).rejects.toBeInstanceOf(ProviderResponseError);
    await expect(failure).rejects.toThrow('total.value is missing');
  });

  it('reports a body that is not JSON', async () => {
    const { url } = await serve([{ status: 200, body: '<html>gateway</html>' }]);

    await expect(fetchProviderJson(fetchHttpClient(), request(url))).rejects.toThrow(/not valid JSON/);
  });

  it('reports an unexpected status', async () => {
    const { url } = await serve([{ status: 404, body: { error: 'not found' } }]);

    await expect(fetchProviderJson(fetchHttpClient(), request(url))).rejects.toThrow(/HTTP 404/);
  });

  it('times out a provider that does not answer', async () => {
    const { url } = await serve([{ ...OK, delayMs: 2000 }]);

    const failure = fetchProviderJson(fetchHttpClient(), request(url), { timeoutMs: 100 });

    await expect(failure).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(failure).rejects.toThrow(/within 100 ms/);
  });

  it('reports an unreachable provider clearly', async () => {
    const { url } = await serve([OK]);
    await server?.close();
    server = undefined;

    const failure = fetchProviderJson(fetchHttpClient(), request(url));

    await expect(failure).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(failure).rejects.toThrow(/could not be reached \(connection failed: ECONNREFUSED\)/);
  });

  it('stops when the caller cancels, waits included', async () => {
    const { url } = await serve([{ status: 429, headers: { 'retry-after': '30' } }, OK]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 50);

    const failure = fetchProviderJson(fetchHttpClient(), request(url), { signal: controller.signal });

    await expect(failure).rejects.toThrow('cancelled');
  });

  it('refuses a body over the size cap', async () => {
    const { url } = await serve([
      { status: 200, body: { total: { value: 1 }, has_more: false, pad: 'x'.repeat(5000) } },
    ]);

    await expect(fetchProviderJson(fetchHttpClient({ maxBodyBytes: 1024 }), request(url))).rejects.toThrow(
      /larger than 1024 bytes/,
    );
  });

  it('never puts the key in an error message', async () => {
    const { url } = await serve([{ status: 401 }]);

    const error = await fetchProviderJson(fetchHttpClient(), request(url)).catch((caught: unknown) => caught);

    expect(
      JSON.stringify({ message: (error as Error).message, data: (error as ProviderAuthError).data }),
    ).not.toContain('canary');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and dates, and ignores garbage', () => {
    expect(parseRetryAfter('120', 0)).toBe(120_000);
    expect(parseRetryAfter(null, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter('-5', 0)).toBeUndefined();
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('2015-10-21T07:29:00Z'))).toBe(0);
  });
});
