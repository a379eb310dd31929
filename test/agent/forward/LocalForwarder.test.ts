import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalForwarder } from '../../../agent/forward/LocalForwarder.ts';
import { forwardTarget } from '../../../agent/routing/resolveRoute.ts';
import { TargetAllowlist } from '../../../agent/routing/TargetAllowlist.ts';
import { RecordingTarget } from '../../support/RecordingTarget.ts';

const loopback = new TargetAllowlist(['127.0.0.0/8', '::1/128', 'localhost']);

describe('LocalForwarder', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function forwarder(allowlist = loopback): LocalForwarder {
    const created = new LocalForwarder({ lookup: allowlist.lookup, maxSockets: 4 });
    cleanups.push(() => created.close());
    return created;
  }

  async function target(reply?: Parameters<typeof RecordingTarget.start>[0]): Promise<RecordingTarget> {
    const started = await RecordingTarget.start(reply);
    cleanups.push(() => started.close());
    return started;
  }

  it('sends method, path, headers and body exactly, adding only Host and Content-Length', async () => {
    // Prepare
    const server = await target(() => ({ status: 201 }));
    const body = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x7b, 0xc3, 0xa9, 0x20]);

    // Act
    const result = await forwarder().send({
      target: forwardTarget(server.url('/hooks/x'), 'q=1'),
      method: 'PUT',
      headers: { 'X-Signature': 'abc', 'content-type': 'application/octet-stream' },
      body,
      timeoutMs: 5_000,
    });

    // Assess
    expect(result).toEqual({ kind: 'response', statusCode: 201 });
    const received = server.requests[0]!;
    expect(received.method).toBe('PUT');
    expect(received.url).toBe('/hooks/x?q=1');
    expect(received.body.equals(body)).toBe(true);
    const names = received.rawHeaders
      .filter((_, i) => i % 2 === 0)
      .map((n) => n.toLowerCase())
      .sort();
    expect(names).toEqual(['connection', 'content-length', 'content-type', 'host', 'x-signature']);
    expect(received.headers['content-length']).toBe('8');
  });

  it('returns Retry-After with the status', async () => {
    const server = await target(() => ({ status: 503, headers: { 'retry-after': '7' } }));
    const result = await forwarder().send({
      target: forwardTarget(server.url('/'), ''),
      method: 'POST',
      headers: {},
      body: new Uint8Array(),
      timeoutMs: 5_000,
    });
    expect(result).toEqual({ kind: 'response', statusCode: 503, retryAfter: '7' });
  });

  it('reuses one kept-alive connection for sequential requests', async () => {
    // Prepare
    const server = await target();
    const local = forwarder();

    // Act
    for (let i = 0; i < 5; i++) {
      await local.send({
        target: forwardTarget(server.url('/'), ''),
        method: 'POST',
        headers: {},
        body: Buffer.from(String(i)),
        timeoutMs: 5_000,
      });
    }

    // Assess
    expect(server.requests.map((r) => r.headers.connection)).toEqual(Array(5).fill('keep-alive'));
    expect(server.connections).toBe(1);
  });

  it("refuses, for good, a status outside HTTP's 100–599 (the ack could not carry it)", async () => {
    // Prepare: Node's server and parser both accept any three digits.
    const server = await target(() => ({ status: 700 }));

    // Act
    const result = await forwarder().send({
      target: forwardTarget(server.url('/'), ''),
      method: 'POST',
      headers: {},
      body: new Uint8Array(),
      timeoutMs: 5_000,
    });

    // Assess
    expect(result).toEqual({
      kind: 'error',
      retryable: false,
      reason: 'target answered an invalid status 700',
    });
  });

  it('reports a refused connection as retryable', async () => {
    const result = await forwarder().send({
      target: forwardTarget('http://127.0.0.1:1/', ''),
      method: 'POST',
      headers: {},
      body: new Uint8Array(),
      timeoutMs: 5_000,
    });
    expect(result).toEqual({ kind: 'error', retryable: true, reason: 'ECONNREFUSED' });
  });

  it('reports a target that never answers as a retryable timeout', async () => {
    // Prepare
    const accepted: Socket[] = [];
    const silent: Server = createNetServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of accepted) socket.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const port = (silent.address() as { port: number }).port;

    // Act
    const result = await forwarder().send({
      target: forwardTarget(`http://127.0.0.1:${port}/`, ''),
      method: 'POST',
      headers: {},
      body: new Uint8Array(),
      timeoutMs: 200,
    });

    // Assess
    expect(result).toEqual({ kind: 'error', retryable: true, reason: 'ETIMEDOUT' });
  });

  it('refuses, for good, a name that resolves outside the allowlist when it connects', async () => {
    const server = await target();
    const result = await forwarder(new TargetAllowlist(['127.0.0.2/32', 'localhost'])).send({
      target: forwardTarget(`http://localhost:${server.port}/`, ''),
      method: 'POST',
      headers: {},
      body: new Uint8Array(),
      timeoutMs: 5_000,
    });
    expect(result).toEqual({
      kind: 'error',
      retryable: false,
      reason: 'target resolved outside the allowlist',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('refuses, for good, a request whose header cannot be sent', async () => {
    const server = await target();
    const result = await forwarder().send({
      target: forwardTarget(server.url('/'), ''),
      method: 'POST',
      headers: { 'x-bad': 'line\r\nbreak' },
      body: new Uint8Array(),
      timeoutMs: 5_000,
    });
    expect(result).toMatchObject({ kind: 'error', retryable: false });
    expect(server.requests).toHaveLength(0);
  });
});
