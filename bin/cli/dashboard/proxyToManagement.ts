import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClawPulsarError } from '../../../lambdas/core/errors.ts';
import { readBody } from '../../../lambdas/edge/readBody.ts';
import type { ManagementTarget } from '../ManagementClient.ts';

/** Management bodies are small JSON documents, as on the edge. */
const MAX_BODY_BYTES = 64 * 1024;
/** What is passed back from the management API: its content type and, for exports, the file name. */
const PASSED_HEADERS = ['content-type', 'content-disposition'] as const;

/**
 * The dashboard's `forward` for `clawpulsar dashboard`: sends one API request on to the management API
 * with the operator's bearer token, server-side, and passes the answer back. The token never reaches
 * the browser; the browser's cookies and headers never reach the edge.
 *
 * @example
 * new DashboardGateway({ …, forward: proxyToManagement(resolveManagementTarget(options)) });
 */
export function proxyToManagement(target: ManagementTarget) {
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
      response = await fetch(`${target.url}${apiUrl.pathname}${apiUrl.search}`, {
        method,
        headers: {
          authorization: `Bearer ${target.token}`,
          ...(body?.byteLength ? { 'content-type': req.headers['content-type'] ?? 'application/json' } : {}),
        },
        ...(body?.byteLength ? { body: new Uint8Array(body) } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      return reply(res, 502, {
        error: {
          code: 'edge_unreachable',
          message: `Cannot reach the management API at ${target.url}; is the edge running?`,
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
