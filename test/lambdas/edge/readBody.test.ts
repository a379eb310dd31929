import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PayloadTooLargeError } from '../../../lambdas/core/errors.ts';
import { readBody } from '../../../lambdas/edge/readBody.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A real server that reads each request with `readBody` and hands the outcome to the test. */
async function serve(limit: number): Promise<{ port: number; next: Promise<Buffer | Error> }> {
  let settle!: (outcome: Buffer | Error) => void;
  const next = new Promise<Buffer | Error>((resolve) => {
    settle = resolve;
  });
  server = createServer((req: IncomingMessage, res) => {
    readBody(req, limit).then(
      (body) => {
        settle(body);
        res.end('ok');
      },
      (error: Error) => {
        settle(error);
        if (!res.destroyed) res.writeHead(413).end();
      },
    );
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, next };
}

/** Sends `pieces` as separate writes (chunked unless a content-length is given), then ends or aborts. */
function send(port: number, pieces: Buffer[], options: { length?: number; abort?: boolean } = {}): void {
  const req = request({
    port,
    host: '127.0.0.1',
    method: 'POST',
    headers: options.length === undefined ? {} : { 'content-length': options.length },
  });
  req.on('error', () => {});
  req.on('response', (res) => res.resume());
  for (const piece of pieces) req.write(piece);
  if (options.abort) setTimeout(() => req.destroy(), 50);
  else req.end();
}

describe('readBody', () => {
  it('returns the body byte for byte, sent in one piece', async () => {
    // Prepare
    const { port, next } = await serve(1024);
    const body = randomBytes(700);

    // Act
    send(port, [body], { length: body.byteLength });

    // Assess
    expect(Buffer.compare((await next) as Buffer, body)).toBe(0);
  });

  it('joins a body that arrives in many pieces, up to exactly the limit', async () => {
    // Prepare
    const { port, next } = await serve(64 * 1024);
    const pieces = Array.from({ length: 16 }, () => randomBytes(4 * 1024));

    // Act
    send(port, pieces);

    // Assess
    expect(Buffer.compare((await next) as Buffer, Buffer.concat(pieces))).toBe(0);
  });

  it('returns an empty buffer for an empty body', async () => {
    // Prepare
    const { port, next } = await serve(1024);

    // Act
    send(port, [], { length: 0 });

    // Assess
    expect(((await next) as Buffer).byteLength).toBe(0);
  });

  it('refuses a declared length over the limit before reading anything', async () => {
    // Prepare
    const { port, next } = await serve(1024);

    // Act
    send(port, [Buffer.alloc(10)], { length: 2048 });
    const outcome = await next;

    // Assess
    expect(outcome).toBeInstanceOf(PayloadTooLargeError);
    expect((outcome as PayloadTooLargeError).status).toBe(413);
  });

  it('refuses a chunked body once it grows over the limit, and drops the connection', async () => {
    // Prepare
    const { port, next } = await serve(8 * 1024);

    // Act
    send(
      port,
      Array.from({ length: 8 }, () => randomBytes(4 * 1024)),
    );
    const outcome = await next;

    // Assess
    expect(outcome).toBeInstanceOf(PayloadTooLargeError);
  });

  it('rejects a request that closes before its end', async () => {
    // Prepare
    const { port, next } = await serve(64 * 1024);

    // Act
    send(port, [randomBytes(1024)], { length: 4096, abort: true });
    const outcome = await next;

    // Assess
    expect(outcome).toBeInstanceOf(Error);
    expect(['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE']).toContain((outcome as NodeJS.ErrnoException).code);
  });
});
