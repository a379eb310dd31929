import * as z from 'zod';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../../core/errors.ts';
import type { WebhookRequest } from '../../core/WebhookRequest.ts';

/**
 * The API Gateway HTTP API event, payload format 2.0 — only the fields we read, validated; anything else
 * API Gateway adds passes through unread.
 */
export const apiGatewayV2EventSchema = z.object({
  version: z.literal('2.0'),
  routeKey: z.string(),
  rawPath: z.string().startsWith('/'),
  rawQueryString: z.string(),
  cookies: z.array(z.string()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  pathParameters: z.record(z.string(), z.string()).optional(),
  requestContext: z.object({
    domainName: z.string().min(1),
    requestId: z.string(),
    http: z.object({ method: z.string().min(1), path: z.string(), sourceIp: z.string() }),
    authorizer: z.object({ iam: z.object({ userArn: z.string().optional() }).optional() }).optional(),
  }),
  body: z.string().optional(),
  isBase64Encoded: z.boolean(),
});
export type ApiGatewayV2Event = z.infer<typeof apiGatewayV2EventSchema>;

/** The structured response of an HTTP API Lambda integration (payload format 2.0). */
export interface ApiGatewayV2Result {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded: false;
}

/**
 * Parses the event; a shape API Gateway would never send is a deployment mistake (wrong payload format),
 * so it throws.
 */
export function parseApiGatewayEvent(event: unknown): ApiGatewayV2Event {
  const parsed = apiGatewayV2EventSchema.safeParse(event);
  if (!parsed.success) {
    throw new BadRequestError('invalid_event', 'Not an API Gateway HTTP API payload format 2.0 event', {
      fields: parsed.error.issues.map((issue) => issue.path.join('.')),
    });
  }
  return parsed.data;
}

/**
 * The body as bytes, exactly as the client sent it. API Gateway base64-encodes every body it doesn't
 * consider text (form posts included); a text body arrives as the UTF-8 string it was.
 */
export function bodyBytes(event: ApiGatewayV2Event): Buffer {
  if (event.body === undefined) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/**
 * The runtime-independent webhook request. Header names lower-cased; API Gateway v2 has already joined
 * repeated headers with commas, and it moves cookies out of the headers into `cookies`, so they are
 * joined back into the one `cookie` header the client sent. The URL is rebuilt as the provider called
 * it — `publicBaseUrl` (a custom domain) when set, else the API's own domain — for URL-signing schemes.
 */
export function toWebhookRequest(event: ApiGatewayV2Event, publicBaseUrl?: string): WebhookRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    const key = name.toLowerCase();
    headers[key] = headers[key] === undefined ? value : `${headers[key]},${value}`;
  }
  if (event.cookies?.length) headers.cookie = event.cookies.join('; ');
  const base = publicBaseUrl ?? `https://${event.requestContext.domainName}`;
  return {
    method: event.requestContext.http.method.toUpperCase(),
    url: `${base}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`,
    path: event.rawPath,
    query: event.rawQueryString,
    headers,
    body: bodyBytes(event),
  };
}

/** Registration and management bodies are small JSON documents. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * Reads a JSON body: undefined when empty, 415 for another content type, 413 over 64 KiB, 400 for
 * invalid JSON.
 */
export function readJsonBody(event: ApiGatewayV2Event): unknown {
  const body = bodyBytes(event);
  if (body.byteLength === 0) return undefined;
  if (body.byteLength > MAX_JSON_BODY_BYTES)
    throw new PayloadTooLargeError(MAX_JSON_BODY_BYTES, body.byteLength);
  const type = headerValue(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new UnsupportedMediaTypeError('Send the body as application/json');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequestError('invalid_json', 'The body is not valid JSON');
  }
}

function headerValue(event: ApiGatewayV2Event, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === name) return value;
  return undefined;
}

/** A response as the core built it (status, headers, body text); proxies never cache it. */
export function httpResult(
  statusCode: number,
  headers: Readonly<Record<string, string>>,
  body: string,
): ApiGatewayV2Result {
  return { statusCode, headers: { 'cache-control': 'no-store', ...headers }, body, isBase64Encoded: false };
}

/** A JSON response that proxies never cache. */
export function jsonResult(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): ApiGatewayV2Result {
  return httpResult(statusCode, { 'content-type': 'application/json', ...headers }, JSON.stringify(body));
}
