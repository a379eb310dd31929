import type { WebhookRequest } from '../WebhookRequest.ts';
import type { SealedRequest } from './types.ts';

/**
 * Headers that describe one HTTP connection rather than the message (RFC 9110 §7.6.1, plus the old
 * `keep-alive` and `proxy-connection`). `host` joins them: it names the public ingress, while the agent
 * sends the request to its own local target, which may check Host against DNS rebinding; the agent knows
 * its public webhook URL from registration when it re-verifies a URL-bound signature.
 * Names listed in a `Connection` header are deliberately not removed, so a request can never make the
 * relay drop its own signature or content-type headers.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/** True for headers the relay does not carry to the agent. */
export function isHopByHopHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return HOP_BY_HOP.has(lower) || lower.startsWith('proxy-');
}

/**
 * The part of a received webhook that is sealed: method, path, query, end-to-end headers (signature,
 * content-type, delivery ids kept) and the body bytes, untouched and uncopied.
 *
 * @example
 * const sealed = toSealedRequest(request); // request.headers.connection is gone, the body is the same bytes
 */
export function toSealedRequest(request: WebhookRequest): SealedRequest {
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (!isHopByHopHeader(name)) headers.push([name, value]);
  }
  return {
    method: request.method,
    path: request.path,
    query: request.query,
    // fromEntries defines own properties, so a header named `__proto__` stays a header.
    headers: Object.fromEntries(headers),
    body: request.body,
  };
}
