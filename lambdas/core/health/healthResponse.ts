import * as z from 'zod';

/** The liveness route, on the local edge and on the deployed stack's HTTP API alike. */
export const HEALTH_PATH = '/healthz';

/** What the liveness route answers with 200. */
export const healthBodySchema = z.object({ status: z.literal('ok') }).strict();
export type HealthBody = z.infer<typeof healthBodySchema>;

export interface HealthResponse {
  readonly status: 200;
  readonly body: HealthBody;
}

const HEALTHY: HealthResponse = Object.freeze({ status: 200, body: Object.freeze({ status: 'ok' }) });

/**
 * The answer to `GET /healthz`: the edge is up and serving requests, and nothing more. It is public and
 * unauthenticated, so it carries no version, no id and no state of a dependency that a stranger could use
 * to fingerprint a deployment or probe its internals; `clawpulsar doctor` reads the clock from the
 * response's `Date` header, not from the body.
 *
 * @example
 * const { status, body } = healthResponse(); // 200, { status: 'ok' }
 */
export function healthResponse(): HealthResponse {
  return HEALTHY;
}
