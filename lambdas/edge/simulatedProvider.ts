/**
 * A simulated LLM provider for the local edge, demos and end-to-end tests: a small HTTP server on loopback
 * that speaks the usage and billing APIs ClawPulsar reads — OpenAI's Costs API, Anthropic's cost report
 * (both with cursor pagination), OpenRouter's activity and credits, DeepSeek's balance and Vercel AI
 * Gateway's credits — with deterministic, seeded spend.
 *
 * It is never mistaken for the real thing: every response carries the header
 * `x-clawpulsar-simulated: true` and a top-level `"clawpulsar_simulated": true` field (which the clients,
 * letting unknown fields pass, ignore), and the startup log says so. It requires the key it was started
 * with, in each provider's own way (Bearer, or x-api-key plus anthropic-version for Anthropic).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseLocalDate, toEpochDay } from '../core/budget/localDate.ts';
import type { Micros } from '../core/budget/money.ts';
import { assertMicros, formatMicros } from '../core/budget/money.ts';
import type { Logger } from '../core/ports.ts';

export interface SimulatedProviderOptions {
  /** The key clients must present. */
  readonly key: string;
  /** Seed of the generated spend (default 1). The same seed gives the same spend for the same date. */
  readonly seed?: number;
  /** Typical spend per day; generated days vary between half and one and a half times it (default $12.345678). */
  readonly baseDailyMicros?: Micros;
  /** Prepaid credit the balance endpoints start from (default $500). */
  readonly purchasedMicros?: Micros;
  /** Largest number of buckets per page, whatever `limit` asks (default: as asked), to exercise pagination. */
  readonly maxPageSize?: number;
  /** Port on 127.0.0.1 (default 0: any free port). */
  readonly port?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** One request as received; the key itself is never recorded. */
export interface SimulatedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly authorized: boolean;
}

export interface SimulatedProvider {
  /** `http://127.0.0.1:PORT`: use as the base URL of any supported provider. */
  readonly url: string;
  readonly requests: readonly SimulatedRequest[];
  /** Fixes the spend of one UTC date (`YYYY-MM-DD`), replacing the generated amount. */
  setDailySpend(date: string, micros: Micros): void;
  /** Answers the next `count` requests with 429 and this Retry-After. */
  rateLimitNext(count: number, retryAfterSeconds?: number): void;
  /** Answers the next `count` requests with `status` (a 5xx, say). */
  failNext(count: number, status?: number): void;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;
const SIMULATED_HEADER = 'x-clawpulsar-simulated';

/** mulberry32: a tiny, well-distributed PRNG; one draw per (seed, day). */
function random(seed: number, epochDay: number): number {
  let t = (seed ^ Math.imul(epochDay, 0x9e3779b1)) >>> 0;
  t = (t + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function utcDate(epochDay: number): string {
  return new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Cents with four decimals, as Anthropic's cost report writes them: 1237891 micros → "123.7891". */
function centsString(micros: Micros): string {
  // n micro-dollars are n/10,000 cents: the same digits as n×100 micro-dollars printed in dollars.
  return formatMicros(micros * 100);
}

function splitAmount(micros: Micros): [Micros, Micros] {
  const first = Math.floor((micros * 3) / 5);
  return [first, micros - first];
}

/**
 * Starts the simulated provider.
 *
 * @example
 * const provider = await startSimulatedProvider({ key: 'sk-sim' });
 * provider.setDailySpend('2025-03-01', 42_000_000);
 * // clawpulsar budget check --provider openai --base-url provider.url …
 */
export async function startSimulatedProvider(options: SimulatedProviderOptions): Promise<SimulatedProvider> {
  const seed = options.seed ?? 1;
  const base = assertMicros(options.baseDailyMicros ?? 12_345_678, 'baseDailyMicros');
  const purchased = assertMicros(options.purchasedMicros ?? 500_000_000, 'purchasedMicros');
  const now = options.now ?? Date.now;
  const keyDigest = digest(options.key);
  const overrides = new Map<number, Micros>();
  const requests: SimulatedRequest[] = [];
  let rateLimited = 0;
  let retryAfter = 1;
  let failures = 0;
  let failureStatus = 500;

  /** Spend of one UTC day as known now: whole for past days, the elapsed share of today, none later. */
  function spendOn(epochDay: number): Micros {
    const full = overrides.get(epochDay) ?? Math.round(base * (0.5 + random(seed, epochDay)));
    const dayStart = epochDay * DAY_MS;
    const current = now();
    if (current >= dayStart + DAY_MS) return full;
    if (current <= dayStart) return 0;
    return Math.floor((full * (current - dayStart)) / DAY_MS);
  }

  function usedSoFar(): Micros {
    const today = Math.floor(now() / DAY_MS);
    let used = 0;
    for (let day = today - 30; day <= today; day++) used += spendOn(day);
    return used;
  }

  function send(
    res: ServerResponse,
    status: number,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    res.writeHead(status, { 'content-type': 'application/json', [SIMULATED_HEADER]: 'true', ...headers });
    res.end(JSON.stringify({ ...body, clawpulsar_simulated: true }));
  }

  function keyMatches(presented: string | undefined): boolean {
    return presented !== undefined && timingSafeEqual(digest(presented), keyDigest);
  }

  function bearer(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization;
    return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
  }

  /** Buckets [startDay, endDay) paged by an opaque cursor: the index of the first bucket, base64url. */
  function page(
    startDay: number,
    endDay: number,
    query: URLSearchParams,
    defaultLimit: number,
    maxLimit: number,
  ) {
    const limit = Math.min(Number(query.get('limit') ?? defaultLimit) || defaultLimit, maxLimit);
    const size = Math.max(1, Math.min(limit, options.maxPageSize ?? limit));
    const cursor = query.get('page');
    const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString()) : 0;
    const first = startDay + (Number.isInteger(offset) && offset >= 0 ? offset : 0);
    const last = Math.min(endDay, first + size);
    const days: number[] = [];
    for (let day = first; day < last; day++) days.push(day);
    const hasMore = last < endDay;
    const nextPage = hasMore ? Buffer.from(String(last - startDay)).toString('base64url') : null;
    return { days, hasMore, nextPage };
  }

  function openaiCosts(res: ServerResponse, query: URLSearchParams) {
    const start = Number(query.get('start_time'));
    if (!query.has('start_time') || !Number.isInteger(start)) {
      send(res, 400, { error: { message: 'start_time is required', type: 'invalid_request_error' } });
      return;
    }
    const end = query.has('end_time') ? Number(query.get('end_time')) : Math.ceil(now() / 1000);
    const { days, hasMore, nextPage } = page(
      Math.floor(start / 86_400),
      Math.ceil(end / 86_400),
      query,
      7,
      180,
    );
    send(res, 200, {
      object: 'page',
      data: days.map((day) => ({
        object: 'bucket',
        start_time: day * 86_400,
        end_time: (day + 1) * 86_400,
        results: splitAmount(spendOn(day)).map((micros, i) => ({
          object: 'organization.costs.result',
          amount: { value: micros / 1_000_000, currency: 'usd' },
          line_item: i === 0 ? 'simulated-model, input' : 'simulated-model, output',
          project_id: null,
        })),
      })),
      has_more: hasMore,
      next_page: nextPage,
    });
  }

  function anthropicCostReport(res: ServerResponse, query: URLSearchParams) {
    const start = Date.parse(query.get('starting_at') ?? '');
    if (Number.isNaN(start)) {
      send(res, 400, {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'starting_at is required' },
      });
      return;
    }
    const end = query.has('ending_at') ? Date.parse(query.get('ending_at') ?? '') : now();
    const { days, hasMore, nextPage } = page(
      Math.floor(start / DAY_MS),
      Math.ceil(end / DAY_MS),
      query,
      7,
      31,
    );
    send(res, 200, {
      data: days.map((day) => ({
        starting_at: rfc3339(day * DAY_MS),
        ending_at: rfc3339((day + 1) * DAY_MS),
        results: splitAmount(spendOn(day)).map((micros, i) => ({
          amount: centsString(micros),
          currency: 'USD',
          cost_type: i === 0 ? 'tokens' : 'web_search',
          description: null,
          workspace_id: null,
        })),
      })),
      has_more: hasMore,
      next_page: nextPage,
    });
  }

  function openrouterActivity(res: ServerResponse, query: URLSearchParams) {
    const today = Math.floor(now() / DAY_MS);
    const only = query.get('date');
    const data: Record<string, unknown>[] = [];
    for (let day = today - 30; day < today; day++) {
      if (only !== null && utcDate(day) !== only) continue;
      splitAmount(spendOn(day)).forEach((micros, i) => {
        data.push({
          date: utcDate(day),
          model: i === 0 ? 'simulated/model-a' : 'simulated/model-b',
          usage: micros / 1_000_000,
          byok_usage_inference: 0,
          requests: 1 + Math.floor(micros / 100_000),
        });
      });
    }
    send(res, 200, { data });
  }

  function route(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): boolean {
    const anthropic = path.startsWith('/v1/organizations/');
    const presented = anthropic ? (req.headers['x-api-key'] as string | undefined) : bearer(req);
    const authorized = keyMatches(presented);
    requests.push({ method: req.method ?? 'GET', path, query: query.toString(), authorized });

    const known = [
      '/v1/organization/costs',
      '/v1/organizations/cost_report',
      '/api/v1/activity',
      '/api/v1/credits',
      '/user/balance',
      '/v1/credits',
    ];
    if (!known.includes(path)) {
      send(res, 404, { error: { message: `Simulated provider has no ${path}`, type: 'not_found' } });
      return true;
    }
    if (req.method !== 'GET') {
      send(res, 405, { error: { message: 'Only GET is simulated', type: 'invalid_request_error' } });
      return true;
    }
    if (!authorized) {
      if (anthropic)
        send(res, 401, {
          type: 'error',
          error: { type: 'authentication_error', message: 'invalid x-api-key' },
        });
      else
        send(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
      return true;
    }
    if (anthropic && !req.headers['anthropic-version']) {
      send(res, 400, {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'anthropic-version header is required' },
      });
      return true;
    }
    if (rateLimited > 0) {
      rateLimited--;
      send(
        res,
        429,
        { error: { message: 'Rate limit reached (simulated)', type: 'rate_limit_error' } },
        {
          'retry-after': String(retryAfter),
        },
      );
      return true;
    }
    if (failures > 0) {
      failures--;
      send(res, failureStatus, { error: { message: 'Simulated failure', type: 'server_error' } });
      return true;
    }
    const balance = () => purchased - usedSoFar();
    switch (path) {
      case '/v1/organization/costs':
        openaiCosts(res, query);
        break;
      case '/v1/organizations/cost_report':
        anthropicCostReport(res, query);
        break;
      case '/api/v1/activity':
        openrouterActivity(res, query);
        break;
      case '/api/v1/credits':
        send(res, 200, {
          data: { total_credits: purchased / 1_000_000, total_usage: usedSoFar() / 1_000_000 },
        });
        break;
      case '/user/balance':
        send(res, 200, {
          is_available: balance() > 0,
          balance_infos: [
            {
              currency: 'USD',
              total_balance: formatMicros(balance()),
              granted_balance: '0.00',
              topped_up_balance: formatMicros(balance()),
            },
          ],
        });
        break;
      case '/v1/credits':
        send(res, 200, { balance: formatMicros(balance()), total_used: formatMicros(usedSoFar()) });
        break;
    }
    return true;
  }

  const server = createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      route(req, res, url.pathname, url.searchParams);
    } catch {
      send(res, 400, { error: { message: 'Bad request', type: 'invalid_request_error' } });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const note = 'SIMULATED provider: generated spend, not real provider data';
  if (options.logger) options.logger.info('simulated_provider_started', { url, simulated: true, note });
  else process.stderr.write(`clawpulsar: ${note}, listening on ${url}\n`);

  return {
    url,
    requests,
    setDailySpend(date, micros) {
      overrides.set(toEpochDay(parseLocalDate(date)), assertMicros(micros, 'spend'));
    },
    rateLimitNext(count, retryAfterSeconds = 1) {
      rateLimited = count;
      retryAfter = retryAfterSeconds;
    },
    failNext(count, status = 500) {
      failures = count;
      failureStatus = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
