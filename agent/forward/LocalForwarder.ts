import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ForwardTarget } from '../routing/resolveRoute.ts';
import { TARGET_NOT_ALLOWED } from '../routing/TargetAllowlist.ts';

/** One forwarding attempt's result: the target answered, or the request never got an answer. */
export type ForwardResult =
  | { readonly kind: 'response'; readonly statusCode: number; readonly retryAfter?: string }
  /** `retryable`: the target may come up (refused, reset, timeout); otherwise final (refused by the agent). */
  | { readonly kind: 'error'; readonly retryable: boolean; readonly reason: string };

export interface ForwardRequest {
  readonly target: ForwardTarget;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly timeoutMs: number;
}

/** Errors of a request the local target can't take as built (bad header from the envelope): final. */
const MALFORMED_REQUEST = new Set([
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_UNESCAPED_CHARACTERS',
]);

/**
 * Sends deliveries to local targets over node:http with keep-alive connections (one pool per
 * forwarder). node:http adds nothing but `Host` to the headers given, so the request arrives as the
 * provider sent it; connections are opened through the allowlist's `lookup`.
 *
 * @example
 * const result = await forwarder.send({ target, method: 'POST', headers, body, timeoutMs: 30_000 });
 */
export class LocalForwarder {
  readonly #http: http.Agent;
  readonly #https: https.Agent;
  readonly #lookup: LookupFunction;

  constructor(options: { lookup: LookupFunction; maxSockets: number }) {
    this.#lookup = options.lookup;
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets,
      maxFreeSockets: options.maxSockets,
    };
    this.#http = new http.Agent(agentOptions);
    this.#https = new https.Agent(agentOptions);
  }

  /** One attempt. Never throws: every failure is a `ForwardResult`. */
  send(request: ForwardRequest): Promise<ForwardResult> {
    return new Promise((resolve) => {
      const { url, path } = request.target;
      const secure = url.protocol === 'https:';
      let settled = false;
      const settle = (result: ForwardResult) => {
        if (!settled) {
          settled = true;
          resolve(result);
        }
      };
      let outgoing: http.ClientRequest;
      try {
        outgoing = (secure ? https : http).request({
          protocol: url.protocol,
          hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
          port: url.port || (secure ? 443 : 80),
          path,
          method: request.method,
          headers: { ...request.headers, 'Content-Length': String(request.body.byteLength) },
          agent: secure ? this.#https : this.#http,
          lookup: this.#lookup,
        });
      } catch (error) {
        settle(failure(error));
        return;
      }
      outgoing.setTimeout(request.timeoutMs, () =>
        outgoing.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
      );
      outgoing.on('error', (error) => settle(failure(error)));
      outgoing.on('response', (response) => {
        // Drain so the connection goes back to the pool; the body is the target's business, not ours.
        response.resume();
        response.on('error', () => {});
        const retryAfter = response.headers['retry-after'];
        const statusCode = response.statusCode ?? 0;
        // Node's parser takes any three digits; the ack protocol carries HTTP's 100–599 only.
        if (statusCode < 100 || statusCode > 599) {
          settle({
            kind: 'error',
            retryable: false,
            reason: `target answered an invalid status ${statusCode}`,
          });
          return;
        }
        settle(
          retryAfter === undefined
            ? { kind: 'response', statusCode }
            : { kind: 'response', statusCode, retryAfter },
        );
      });
      outgoing.end(request.body);
    });
  }

  /** Closes pooled connections. */
  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

function failure(error: unknown): ForwardResult {
  const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
  if (code === TARGET_NOT_ALLOWED)
    return { kind: 'error', retryable: false, reason: 'target resolved outside the allowlist' };
  if (MALFORMED_REQUEST.has(code))
    return { kind: 'error', retryable: false, reason: `request not forwardable (${code})` };
  return { kind: 'error', retryable: true, reason: code };
}
