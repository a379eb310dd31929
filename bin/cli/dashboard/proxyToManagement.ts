import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClawPulsarError } from '../../../lambdas/core/errors.ts';
import { readBody } from '../../../lambdas/edge/readBody.ts';
import { ManagementClient } from '../ManagementClient.ts';
import type { ManagementTarget } from '../ManagementTarget.ts';

/** Management bodies are small JSON documents, as on the edge. */
const MAX_BODY_BYTES = 64 * 1024;
/** What is passed back from the management API: its content type and, for exports, the file name. */
const PASSED_HEADERS = ['content-type', 'content-disposition'] as const;

/**
 * The dashboard's `forward` for `clawpulsar dashboard`: sends one API request on to the management API
 * with the operator's credentials (the edge's bearer token, or a SigV4 signature for a stack),
 * server-side, and passes the answer back. The credentials never reach the browser; the browser's
 * cookies and headers never reach the edge.
 *
 * @example
 * new DashboardGateway({ …, forward: proxyToManagement(await resolveManagementTarget(options)) });
 */
export function proxyToManagement(target: ManagementTarget) {
  const client = new ManagementClient(target);
  return async (req: IncomingMessage, res: ServerResponse, apiUrl: URL): Promise<void> => {
    const method = req.method ?? 'GET';
    let body: Buffer | undefined;
    try {
      body =
        method === 'GET' || method === 'HEAD' || method === 'DELETE'
          ? undefined
          : await readBody(req, MAX_BODY_BYTES);
    } catch (error) {
      const status = error instanceof ClawPulsarError ? error.status : 400;
      return reply(res, status, { error: { code: 'invalid_body', message: (error as Error).message } });
    }
    let response: Response;
    try {
      response = await client.send(
        method,
        `${apiUrl.pathname}${apiUrl.search}`,
        body?.byteLength
          ? { bytes: new Uint8Array(body), contentType: req.headers['content-type'] ?? 'application/json' }
          : undefined,
      );
    } catch (error) {
      // Unreachable, or (for a stack) credentials that can no longer be resolved: no secret in either.
      return reply(res, 502, {
        error: {
          code: 'edge_unreachable',
          message: error instanceof Error ? error.message : 'Cannot reach the management API',
        },
      });
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    for (const name of PASSED_HEADERS) {
      const value = response.headers.get(name);
      if (value) headers[name] = value;
    }
    res.writeHead(response.status, headers).end(bytes);
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}
