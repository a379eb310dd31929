/**
 * Small helpers the management routes share: validated bodies, ids and query strings, and responses.
 */
import type * as z from 'zod';
import { BadRequestError } from '../errors.ts';
import { idSchema } from '../ids.ts';
import { zodMessage } from '../registration/zodMessage.ts';
import type { ManagementDeps } from './ManagementDeps.ts';

export interface ManagementRequest {
  readonly method: string;
  /** Path without the query, e.g. `/v1/agents/laptop/sources/github`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Parsed JSON body, or undefined when there was none. */
  readonly body: unknown;
}

export interface ManagementResponse {
  readonly status: number;
  /** JSON-serialisable, or the exact text when `contentType` is set. */
  readonly body: unknown;
  /** Set for a non-JSON body (e.g. `text/csv; charset=utf-8`); the body is then a string. */
  readonly contentType?: string;
}

export type RouteHandler = (
  deps: ManagementDeps,
  params: string[],
  request: ManagementRequest,
) => Promise<ManagementResponse>;

/** A route: method, path pattern (capture groups are the params), handler. */
export type Route = [string, RegExp, RouteHandler];

/** A JSON response. */
export const ok = (body: unknown, status = 200): ManagementResponse => ({ status, body });

/** Validates `body` (an absent body as `{}`) against `schema`; 400 naming the first bad field. */
export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw new BadRequestError('invalid_request', zodMessage(parsed.error));
  return parsed.data;
}

/** A path segment as an agent, source or key id; 400 otherwise. */
export function id(value: string | undefined): string {
  const parsed = idSchema.safeParse(value);
  if (!parsed.success) {
    throw new BadRequestError(
      'invalid_id',
      `"${value}" is not a valid id: use 3-63 lower-case letters, digits or dashes`,
    );
  }
  return parsed.data;
}

/** The query string as a plain object (the last value of a repeated name wins). */
export function queryObject(query: URLSearchParams): Record<string, string> {
  return Object.fromEntries(query.entries());
}
