import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request exactly as the target received it. */
export interface RecordedRequest {
  readonly method: string;
  /** The request-target: path and query as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** Header names and values in wire order, as sent. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** What the target answers to one request. */
export interface TargetReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly delayMs?: number;
}

/**
 * A local webhook target (what OpenClaw's `/hooks` is to the agent) on loopback that records every request
 * byte for byte and answers what `reply` says, so tests can compare what arrived with what was sent.
 *
 * @example
 * const target = await RecordingTarget.start(() => ({ status: 200 }));
 * await target.waitForRequests(1);
 */
export class RecordingTarget {
  readonly requests: RecordedRequest[] = [];
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
  connections = 0;
  readonly #server: Server;
  #reply: (request: RecordedRequest, index: number) => TargetReply;
  #waiters: (() => void)[] = [];

  private constructor(server: Server, reply: (request: RecordedRequest, index: number) => TargetReply) {
    this.#server = server;
    this.#reply = reply;
  }

  /** Listens on 127.0.0.1 (`port` 0: an ephemeral port). */
  static async start(
    reply: (request: RecordedRequest, index: number) => TargetReply = () => ({ status: 200 }),
    port = 0,
  ): Promise<RecordingTarget> {
    const server = createServer({ keepAliveTimeout: 30_000 });
    const target = new RecordingTarget(server, reply);
    server.on('connection', () => {
      target.connections++;
    });
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks),
        };
        target.requests.push(recorded);
        const answer = target.#reply(recorded, target.requests.length - 1);
        const send = () => {
          res.writeHead(answer.status, answer.headers);
          res.end();
          for (const wake of target.#waiters.splice(0)) wake();
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs);
        else send();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return target;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:PORT` + path. */
  url(path = '/'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Changes how the target answers from now on. */
  answer(reply: (request: RecordedRequest, index: number) => TargetReply): void {
    this.#reply = reply;
  }

  /** Resolves once `count` requests have been answered, or rejects after `timeoutMs`. */
  async waitForRequests(count: number, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${count} requests (got ${this.requests.length})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
