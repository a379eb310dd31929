import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyToManagement } from '../../../../bin/cli/dashboard/proxyToManagement.ts';
import { sigV4Target } from '../../../../bin/cli/sigV4Target.ts';
import { SigV4ManagementApi } from '../../../support/sigV4ManagementApi.ts';

const CREDENTIALS = { accessKeyId: 'AKIDDASHBOARD', secretAccessKey: 'dashboard-secret' };

let api: SigV4ManagementApi;
let proxy: Server;
let proxyUrl: string;

beforeAll(async () => {
  api = await SigV4ManagementApi.start({ ...CREDENTIALS, region: 'eu-west-1', service: 'execute-api' });
  const forward = proxyToManagement(
    sigV4Target({
      url: api.url,
      edgeUrl: 'https://hooks.example.com',
      region: 'eu-west-1',
      credentials: async () => CREDENTIALS,
      label: 'stack "demo" in eu-west-1',
    }),
  );
  // The gateway hands the proxy the API part of the browser's URL; here that is the whole URL.
  proxy = createServer(
    (req, res) => void forward(req, res, new URL(req.url ?? '/', 'http://dashboard.invalid')),
  );
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await api.close();
});

describe('proxyToManagement with a stack', () => {
  it('signs what the browser asked for, server-side, and passes the answer back', async () => {
    // Prepare
    const from = api.requests.length;

    // Act
    const created = await fetch(`${proxyUrl}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'session=browser-cookie' },
      body: JSON.stringify({ agentId: 'dash-laptop' }),
    });
    const listed = await fetch(`${proxyUrl}/v1/agents`);

    // Assess
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ agentId: 'dash-laptop' });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ agents: [expect.objectContaining({ agentId: 'dash-laptop' })] });
    const received = api.requests.slice(from);
    expect(received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/tokens', 'GET /v1/agents']);
    for (const request of received) {
      expect(request.verdict).toEqual({ valid: true });
      expect(request.headers.cookie).toBeUndefined();
    }
  });

  it('passes the management API’s refusal back with its status and error', async () => {
    const response = await fetch(`${proxyUrl}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'not json',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 'invalid_json', message: 'The body is not valid JSON' },
    });
    expect(api.requests.at(-1)?.verdict).toEqual({ valid: true });
  });
});
