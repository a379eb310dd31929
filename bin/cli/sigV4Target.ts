import { Sha256 } from '@aws-crypto/sha256-js';
import type { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ManagementTarget, OutgoingRequest } from './ManagementTarget.ts';

/** The operator's AWS credentials, resolved (and refreshed) on demand. */
export type AwsCredentialsProvider = () => Promise<
  Awaited<ReturnType<ReturnType<typeof fromNodeProviderChain>>>
>;

export interface SigV4TargetOptions {
  /** Base URL of the stack's API (`https://{api}.execute-api.{region}.amazonaws.com`). */
  readonly url: string;
  /** Where agents register (the public base URL, a custom domain when the stack has one). */
  readonly edgeUrl: string;
  /** The stack's region: API Gateway checks the signature's scope against it. */
  readonly region: string;
  readonly credentials: AwsCredentialsProvider;
  /** Says which stack this is in messages (`stack "prod" in eu-west-1`). */
  readonly label: string;
}

/**
 * A deployed stack's management API: API Gateway's IAM authoriser lets a request through only with a
 * SigV4 signature (service `execute-api`) by credentials whose policy allows `execute-api:Invoke` on the
 * route. Each request is signed over its method, path, query, host, content type and a SHA-256 of its
 * exact body bytes (sent as `x-amz-content-sha256`), so neither can be changed in transit.
 *
 * @example
 * const target = sigV4Target({ url, region: 'eu-west-1', credentials: fromNodeProviderChain(), label });
 * await new ManagementClient(target).request('GET', '/v1/agents');
 */
export function sigV4Target(options: SigV4TargetOptions): ManagementTarget {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials,
    sha256: Sha256,
  });
  return {
    url: options.url.replace(/\/$/, ''),
    edgeUrl: options.edgeUrl,
    advice: {
      unreachable: `check your network and that ${options.label} is deployed`,
      refused: `your AWS identity needs execute-api:Invoke on the management routes of ${options.label} (docs/aws.md, "Managing a deployed stack")`,
    },
    authorize: async (request: OutgoingRequest) => {
      const signed = await signer.sign({
        method: request.method,
        protocol: request.url.protocol,
        hostname: request.url.hostname,
        ...(request.url.port ? { port: Number(request.url.port) } : {}),
        path: request.url.pathname,
        query: queryOf(request.url.searchParams),
        // fetch sends exactly this Host (port included when it is not the default one).
        headers: { ...request.headers, host: request.url.host },
        ...(request.body ? { body: request.body } : {}),
      });
      const { host: _host, ...headers } = signed.headers;
      return headers;
    },
  };
}

/**
 * Repeated names become lists, as the signer expects them. No prototype: a parameter named
 * `constructor` or `__proto__` is a parameter like any other.
 */
function queryOf(params: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of params) {
    const seen = Object.hasOwn(query, name) ? query[name] : undefined;
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}
