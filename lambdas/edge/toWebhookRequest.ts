import type { IncomingMessage } from 'node:http';
import type { WebhookRequest } from '../core/WebhookRequest.ts';

/**
 * Builds the runtime-independent request from Node's: header names lower-cased and repeated headers
 * joined with ', ' (as API Gateway does), and the public URL rebuilt from the edge's public base so
 * URL-bound schemes verify against what the provider called.
 */
export function toWebhookRequest(
  req: IncomingMessage,
  body: Uint8Array,
  publicBaseUrl: string,
): WebhookRequest {
  const target = req.url ?? '/';
  const q = target.indexOf('?');
  const headers: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = raw[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url: `${publicBaseUrl}${target}`,
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 ? '' : target.slice(q + 1),
    headers,
    body,
  };
}
