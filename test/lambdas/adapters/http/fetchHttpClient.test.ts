import { afterEach, describe, expect, it } from 'vitest';
import { fetchHttpClient } from '../../../../lambdas/adapters/http/fetchHttpClient.ts';
import type { ScriptedHttpServer, ScriptedResponse } from '../../../support/scriptedHttpServer.ts';
import { startScriptedHttpServer } from '../../../support/scriptedHttpServer.ts';

let server: ScriptedHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(reply: ScriptedResponse) {
  server = await startScriptedHttpServer(() => reply);
  return server;
}

describe('fetchHttpClient', () => {
  it('sends the method and headers and returns status, headers and body', async () => {
    const { url, requests } = await serve({
      status: 200,
      headers: { 'x-request-id': 'r1' },
      body: { ok: true },
    });

    const response = await fetchHttpClient()(`${url}/v1/credits`, {
      method: 'GET',
      headers: { authorization: 'Bearer k' },
    });

    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('r1');
    expect(JSON.parse(await response.text())).toEqual({ ok: true });
    expect(requests[0]?.headers.authorization).toBe('Bearer k');
  });

  it('returns a redirect as is instead of following it', async () => {
    const { url, requests } = await serve({ status: 307, headers: { location: '/elsewhere' } });

    const response = await fetchHttpClient()(`${url}/v1/credits`, {
      method: 'GET',
      headers: { 'x-api-key': 'k' },
    });

    expect(response.status).toBe(307);
    expect(requests.map((request) => request.path)).toEqual(['/v1/credits']);
  });

  it('refuses bodies over the cap, declared or streamed', async () => {
    const { url } = await serve({ status: 200, body: 'x'.repeat(4096) });
    const http = fetchHttpClient({ maxBodyBytes: 1000 });

    const response = await http(`${url}/v1/credits`, { method: 'GET', headers: {} });

    await expect(response.text()).rejects.toThrow(/larger than 1000 bytes/);
  });

  it('names the network failure without the URL or headers', async () => {
    const { url } = await serve({ status: 200 });
    await server?.close();
    server = undefined;

    const failure = fetchHttpClient()(`${url}/v1/credits`, {
      method: 'GET',
      headers: { authorization: 'Bearer secret' },
    });

    await expect(failure).rejects.toThrow('connection failed: ECONNREFUSED');
  });

  it('passes an abort through unchanged', async () => {
    const { url } = await serve({ status: 200, delayMs: 1000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 20);

    await expect(
      fetchHttpClient()(`${url}/v1/credits`, { method: 'GET', headers: {}, signal: controller.signal }),
    ).rejects.toThrow('stop');
  });
});
