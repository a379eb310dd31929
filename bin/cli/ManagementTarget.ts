/** One management request about to be sent, as a target's `authorize` sees it. */
export interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  /** Lower-case names; what will be sent besides the credentials the target adds. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes that will be sent. */
  readonly body?: Uint8Array;
}

/**
 * Where the management API is and how a request proves who sends it: a bearer token for the local edge,
 * a SigV4 signature with the operator's AWS credentials for a deployed stack. The client sends every
 * request the same way and only asks the target for the credential headers.
 */
export interface ManagementTarget {
  /** Base URL; request paths (`/v1/agents`) are appended to it. */
  readonly url: string;
  /** The base agents register at (`POST {edgeUrl}/v1/register`), for `agent register --edge`. */
  readonly edgeUrl: string;
  /** What a person should check when the target can't be reached, or refuses the caller. */
  readonly advice: { readonly unreachable: string; readonly refused: string };
  /** The headers that authenticate this request (computed over its method, URL, headers and body). */
  authorize(request: OutgoingRequest): Promise<Readonly<Record<string, string>>>;
}

/**
 * A management API that takes a bearer token: the local edge, or `--edge URL` with `--token-file`.
 *
 * @example
 * const target = bearerTarget('http://127.0.0.1:7700', token);
 */
export function bearerTarget(url: string, token: string): ManagementTarget {
  const headers = { authorization: `Bearer ${token}` };
  const base = url.replace(/\/$/, '');
  return {
    url: base,
    edgeUrl: base,
    advice: {
      unreachable: 'is the edge running?',
      refused: 'check the management token (--token-file or CLAWPULSAR_TOKEN)',
    },
    authorize: async () => headers,
  };
}
