import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManagementClient, ManagementError } from '../../../bin/cli/ManagementClient.ts';
import { bearerTarget } from '../../../bin/cli/ManagementTarget.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the next request is answered with. */
let answer: { status: number; type?: string; body: string };
const seen: Seen[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen.length = 0;
  answer = { status: 200, body: '{"ok":true}' };
});

describe('ManagementClient with a bearer target', () => {
  it('sends the token, the JSON body and its content type, and returns the parsed answer', async () => {
    // Act
    const result = await new ManagementClient(bearerTarget(`${url}/`, 'tok-123')).request(
      'POST',
      '/v1/tokens',
      {
        agentId: 'laptop',
      },
    );

    // Assess
    expect(result).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/tokens', body: '{"agentId":"laptop"}' });
    expect(seen[0]?.headers.authorization).toBe('Bearer tok-123');
    expect(seen[0]?.headers['content-type']).toBe('application/json');
    expect(seen[0]?.headers['x-amz-date']).toBeUndefined();
  });

  it('sends no body and no content type on a GET', async () => {
    await new ManagementClient(bearerTarget(url, 't')).request('GET', '/v1/agents?limit=2');

    expect(seen[0]).toMatchObject({ method: 'GET', url: '/v1/agents?limit=2', body: '' });
    expect(seen[0]?.headers['content-type']).toBeUndefined();
  });

  it('keeps the API’s own error code and message', async () => {
    answer = { status: 404, body: '{"error":{"code":"unknown_agent","message":"No agent \\"x\\""}}' };

    const error = await new ManagementClient(bearerTarget(url, 't'))
      .request('GET', '/v1/agents/x')
      .catch((e) => e);

    expect(error).toBeInstanceOf(ManagementError);
    expect(error).toMatchObject({ status: 404, code: 'unknown_agent', message: 'No agent "x"' });
  });

  it('turns a refusal without our error shape into advice about the credentials', async () => {
    answer = { status: 403, body: '{"message":"Forbidden"}' };

    const error = await new ManagementClient(bearerTarget(url, 't'))
      .request('GET', '/v1/agents')
      .catch((e) => e);

    expect(error).toMatchObject({
      status: 403,
      code: 'forbidden',
      message: 'Forbidden: check the management token (--token-file or CLAWPULSAR_TOKEN)',
    });
  });

  it('falls back to the status text for an answer that is not JSON', async () => {
    answer = { status: 502, type: 'text/html', body: '<html>Bad gateway</html>' };

    const error = await new ManagementClient(bearerTarget(url, 't'))
      .request('GET', '/v1/agents')
      .catch((e) => e);

    expect(error).toMatchObject({ status: 502, code: 'error', message: 'Bad Gateway' });
  });

  it('says the edge is unreachable, with what to check', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await new ManagementClient(bearerTarget(`http://127.0.0.1:${port}`, 't'))
      .request('GET', '/v1/agents')
      .catch((e) => e);

    expect(error).toMatchObject({
      status: 0,
      code: 'unreachable',
      message: `Cannot reach http://127.0.0.1:${port}; is the edge running?`,
    });
  });
});
