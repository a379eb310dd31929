import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { FileKeyCustody } from '../../lambdas/adapters/local/FileKeyCustody.ts';
import { openEdgeDatabase } from '../../lambdas/adapters/local/openEdgeDatabase.ts';
import { SqliteAgentRepository } from '../../lambdas/adapters/local/SqliteAgentRepository.ts';
import { SqliteCertificateRepository } from '../../lambdas/adapters/local/SqliteCertificateRepository.ts';
import { SqliteDeliveryLog } from '../../lambdas/adapters/local/SqliteDeliveryLog.ts';
import { SqlitePresenceStore } from '../../lambdas/adapters/local/SqlitePresenceStore.ts';
import { SqliteRegistrationTokenStore } from '../../lambdas/adapters/local/SqliteRegistrationTokenStore.ts';
import { SqliteSourceRepository } from '../../lambdas/adapters/local/SqliteSourceRepository.ts';
import { ClawPulsarError } from '../../lambdas/core/errors.ts';
import { routeManagement } from '../../lambdas/core/management/routeManagement.ts';
import { MemoryLogger } from './MemoryLogger.ts';
import {
  type ReceivedRequest,
  type SigV4Expectation,
  type SigV4Verdict,
  verifySigV4,
} from './sigV4Oracle.ts';

/** One request the API received, with the oracle's verdict on its signature. */
export interface SignedRequestRecord extends ReceivedRequest {
  readonly verdict: SigV4Verdict;
}

/**
 * A stand-in for a deployed stack's management API on loopback: like API Gateway's IAM authoriser it
 * answers 403 `{ message }` to a request whose SigV4 signature (checked by the independent oracle) does not
 * hold, and passes the others to the real management router over SQLite adapters, as the management
 * Lambda does. Every request is recorded with its bytes and verdict.
 *
 * @example
 * const api = await SigV4ManagementApi.start({ accessKeyId, secretAccessKey, region: 'eu-west-1', service: 'execute-api' });
 * // ManagementApiUrl = `${api.url}/v1`
 */
export class SigV4ManagementApi {
  readonly requests: SignedRequestRecord[] = [];
  readonly logger = new MemoryLogger();
  readonly #server: Server;
  readonly #db: DatabaseSync;
  readonly #dir: string;

  private constructor(server: Server, db: DatabaseSync, dir: string) {
    this.#server = server;
    this.#db = db;
    this.#dir = dir;
  }

  static async start(expected: SigV4Expectation): Promise<SigV4ManagementApi> {
    const dir = mkdtempSync(join(tmpdir(), 'cp-sigv4-api-'));
    const db = openEdgeDatabase(':memory:');
    const server = createServer();
    const api = new SigV4ManagementApi(server, db, dir);
    const deps = {
      agents: new SqliteAgentRepository(db),
      certificates: new SqliteCertificateRepository(db),
      sources: new SqliteSourceRepository(db),
      deliveries: new SqliteDeliveryLog(db),
      presence: new SqlitePresenceStore(db),
      custody: FileKeyCustody.openOrCreate(join(dir, 'master.key')),
      tokens: new SqliteRegistrationTokenStore(db),
      clock: { now: Date.now },
      logger: api.logger,
      get webhookBaseUrl() {
        return `${api.url}/v1/hooks`;
      },
    };
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const received = {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        const verdict = verifySigV4(received, expected);
        api.requests.push({ ...received, verdict });
        const reply = (status: number, body: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (!verdict.valid) {
          reply(403, {
            message: 'The request signature we calculated does not match the signature you provided.',
          });
          return;
        }
        const url = new URL(received.url, 'http://stand-in.invalid');
        Promise.resolve()
          .then(() =>
            routeManagement(deps, {
              method: received.method,
              path: url.pathname,
              query: url.searchParams,
              body:
                received.method === 'GET' || received.method === 'DELETE' || received.body.byteLength === 0
                  ? undefined
                  : jsonBody(received.body),
            }),
          )
          .then(
            (response) => reply(response.status, response.body),
            (error: unknown) =>
              error instanceof ClawPulsarError
                ? reply(error.status, { error: { code: error.code, message: error.message } })
                : reply(500, { error: { code: 'internal', message: 'Internal error' } }),
          );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  /** `http://127.0.0.1:PORT`: the API's base (the stack's ManagementApiUrl is this plus `/v1`). */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#db.close();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** As the management function reads a body: JSON, or a 400. */
function jsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ClawPulsarError('invalid_json', 'The body is not valid JSON', 400);
  }
}
