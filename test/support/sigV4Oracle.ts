import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import aws4 from 'aws4';

/** A request exactly as a server received it: method, path with query, headers and body bytes. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query as sent on the request line. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Who must have signed, and for which scope. */
export interface SigV4Expectation {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region: string;
  readonly service: string;
}

export type SigV4Verdict = { readonly valid: true } | { readonly valid: false; readonly reason: string };

/** API Gateway's tolerance for the signing time. */
const MAX_SKEW_MS = 15 * 60_000;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/**
 * Re-derives a request's SigV4 signature with an implementation independent of the one under test (the
 * `aws4` package) over what the server received, and compares it with the Authorization header, as API
 * Gateway's IAM authoriser does. The payload hash is computed here from the received bytes, never taken
 * from the request, so a changed body fails. It also demands what the CLI promises: `host`, `x-amz-date`
 * and `x-amz-content-sha256` (and the session token, when there is one) among the signed headers.
 *
 * @example
 * expect(verifySigV4(received, { accessKeyId, secretAccessKey, region: 'eu-west-1', service: 'execute-api' }))
 *   .toEqual({ valid: true });
 */
export function verifySigV4(
  request: ReceivedRequest,
  expected: SigV4Expectation,
  now: number = Date.now(),
): SigV4Verdict {
  const header = single(request.headers.authorization);
  const match = header ? AUTHORIZATION.exec(header) : null;
  if (!match) return { valid: false, reason: 'no SigV4 Authorization header' };
  const [, keyId, day, region, service, signedList] = match as unknown as string[];
  if (keyId !== expected.accessKeyId) return { valid: false, reason: `signed by ${keyId}` };
  if (region !== expected.region || service !== expected.service) {
    return { valid: false, reason: `scope ${region}/${service}` };
  }
  const date = single(request.headers['x-amz-date']) ?? '';
  if (!date.startsWith(day as string)) return { valid: false, reason: 'x-amz-date outside the scope day' };
  const signedAt = Date.parse(
    date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (Number.isNaN(signedAt) || Math.abs(now - signedAt) > MAX_SKEW_MS) {
    return { valid: false, reason: 'x-amz-date missing or skewed' };
  }
  const signed = (signedList as string).split(';');
  const required = ['host', 'x-amz-date', 'x-amz-content-sha256'];
  if (expected.sessionToken !== undefined) required.push('x-amz-security-token');
  if (request.body.byteLength > 0) required.push('content-type');
  const unsigned = required.find((name) => !signed.includes(name));
  if (unsigned) return { valid: false, reason: `${unsigned} is not signed` };

  if (
    expected.sessionToken !== undefined &&
    single(request.headers['x-amz-security-token']) !== expected.sessionToken
  ) {
    return { valid: false, reason: 'x-amz-security-token is not the session token' };
  }
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = single(request.headers[name]);
    if (value === undefined) return { valid: false, reason: `signed header ${name} was not sent` };
    headers[name] = value;
  }
  headers['x-amz-content-sha256'] = createHash('sha256').update(request.body).digest('hex');
  const options = {
    method: request.method,
    host: headers.host,
    path: request.url,
    headers,
    service: expected.service,
    region: expected.region,
  };
  aws4.sign(options, {
    accessKeyId: expected.accessKeyId,
    secretAccessKey: expected.secretAccessKey,
    ...(expected.sessionToken !== undefined ? { sessionToken: expected.sessionToken } : {}),
  });
  const derived = (options.headers as Record<string, string>).Authorization;
  return derived === header ? { valid: true } : { valid: false, reason: 'signature does not match' };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
