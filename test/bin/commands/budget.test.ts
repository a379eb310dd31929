import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedProvider } from '../../../lambdas/edge/simulatedProvider.ts';
import { startSimulatedProvider } from '../../../lambdas/edge/simulatedProvider.ts';
import type { ScriptedHttpServer } from '../../support/scriptedHttpServer.ts';
import { startScriptedHttpServer } from '../../support/scriptedHttpServer.ts';

// A canary: if this string shows up in any output, the key leaked.
const KEY = 'sk-admin-CANARY-7f3e9b21c4d5';
const CLI = join(process.cwd(), 'dist', 'clawpulsar.mjs');

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const outputs: CliResult[] = [];

/** Runs the built CLI as a user would, asynchronously so the in-process provider can answer. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const result = { code: error ? Number(error.code ?? 1) : 0, stdout, stderr };
        outputs.push(result);
        resolve(result);
      },
    );
  });
}

let provider: SimulatedProvider;
let garbage: ScriptedHttpServer;
let dir: string;

beforeAll(async () => {
  provider = await startSimulatedProvider({
    key: KEY,
    maxPageSize: 2,
    now: () => Date.UTC(2025, 2, 20, 12),
    logger: { info: () => {}, warn: () => {}, error: () => {} },
  });
  provider.setDailySpend('2025-03-01', 1_237_891);
  provider.setDailySpend('2025-03-02', 60_000);
  provider.setDailySpend('2025-03-03', 100_000_000);
  garbage = await startScriptedHttpServer(() => ({ status: 200, body: '<html>captive portal</html>' }));
  dir = mkdtempSync(join(tmpdir(), 'clawpulsar-budget-'));
});

afterAll(async () => {
  await provider.close();
  await garbage.close();
  rmSync(dir, { recursive: true, force: true });
});

const range = ['--start', '2025-03-01', '--end', '2025-03-04'];

describe('clawpulsar budget check', () => {
  it('prints the spend of each day and the total as JSON, across pages', async () => {
    const result = await cli(
      ['budget', 'check', '--provider', 'openai', '--base-url', provider.url, ...range, '--json'],
      {
        CLAWPULSAR_PROVIDER_KEY: KEY,
      },
    );

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      provider: 'openai',
      total: { amount: '101.297891', currency: 'usd' },
      days: [
        { date: '2025-03-01', amount: '1.237891' },
        { date: '2025-03-02', amount: '0.06' },
        { date: '2025-03-03', amount: '100.00' },
      ],
    });
  });

  it('reads Anthropic cents to the same dollars, with the key from a file', async () => {
    const keyFile = join(dir, 'anthropic-admin-key');
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 });

    const result = await cli([
      'budget',
      'check',
      '--provider',
      'anthropic',
      '--base-url',
      provider.url,
      '--key-file',
      keyFile,
      ...range,
      '--json',
    ]);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).total).toEqual({ amount: '101.297891', currency: 'usd' });
  });

  it('prints a readable table without --json', async () => {
    const result = await cli(
      ['budget', 'check', '--provider', 'anthropic', '--base-url', provider.url, ...range],
      {
        CLAWPULSAR_PROVIDER_KEY: KEY,
      },
    );

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Anthropic spend 2025-03-01 to 2025-03-04 (UTC days, end excluded): $101.297891',
    );
    expect(result.stdout).toMatch(/2025-03-02 +0\.06\n/);
  });

  it('rides out a 429 with Retry-After', async () => {
    provider.rateLimitNext(1, 1);

    const result = await cli(
      ['budget', 'check', '--provider', 'openai', '--base-url', provider.url, ...range, '--json'],
      {
        CLAWPULSAR_PROVIDER_KEY: KEY,
      },
    );

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).total.amount).toBe('101.297891');
  });

  it('exits 1 and names the key needed when the provider refuses it', async () => {
    const result = await cli(
      ['budget', 'check', '--provider', 'openai', '--base-url', provider.url, ...range],
      {
        CLAWPULSAR_PROVIDER_KEY: 'sk-admin-wrong',
      },
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('OpenAI rejected the key (HTTP 401). Use an OpenAI Admin key');
  });

  it('exits 1 with a JSON error when the provider is unreachable', async () => {
    const closed = await startScriptedHttpServer(() => ({ status: 200 }));
    await closed.close();

    const result = await cli(
      ['budget', 'check', '--provider', 'openai', '--base-url', closed.url, ...range, '--json'],
      {
        CLAWPULSAR_PROVIDER_KEY: KEY,
      },
    );

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error.code).toBe('provider_unavailable');
    expect(JSON.parse(result.stdout).error.message).toMatch(
      /could not be reached \(connection failed: ECONNREFUSED\)/,
    );
  });

  it('exits 1 when the answer is not what the provider documents', async () => {
    const result = await cli(
      ['budget', 'check', '--provider', 'openai', '--base-url', garbage.url, ...range],
      {
        CLAWPULSAR_PROVIDER_KEY: KEY,
      },
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('OpenAI returned an unexpected response: the body is not valid JSON');
  });

  it.each([
    [
      'no key at all',
      ['--provider', 'openai', ...range],
      {},
      /No provider key: pass --key-file FILE or set CLAWPULSAR_PROVIDER_KEY/,
    ],
    [
      'an unreadable key file',
      ['--provider', 'openai', '--key-file', '/nonexistent/key', ...range],
      {},
      /Cannot read --key-file \(ENOENT\)/,
    ],
    [
      'an impossible date',
      ['--provider', 'openai', '--start', '2025-02-30', '--end', '2025-03-04'],
      { CLAWPULSAR_PROVIDER_KEY: KEY },
      /Invalid date "2025-02-30"/,
    ],
    [
      'an end before the start',
      ['--provider', 'openai', '--start', '2025-03-04', '--end', '2025-03-01'],
      { CLAWPULSAR_PROVIDER_KEY: KEY },
      /must be after the start/,
    ],
    [
      'an unknown provider',
      ['--provider', 'acme', ...range],
      { CLAWPULSAR_PROVIDER_KEY: KEY },
      /Unknown provider/,
    ],
    [
      'a missing --start',
      ['--provider', 'openai', '--end', '2025-03-04'],
      { CLAWPULSAR_PROVIDER_KEY: KEY },
      /--start/,
    ],
    [
      'plain http to a remote host',
      ['--provider', 'openai', '--base-url', 'http://example.com', ...range],
      { CLAWPULSAR_PROVIDER_KEY: KEY },
      /only allowed for loopback/,
    ],
    [
      'a balance-only provider',
      ['--provider', 'deepseek', ...range],
      { CLAWPULSAR_PROVIDER_KEY: KEY },
      /budget balance --provider deepseek/,
    ],
  ])('exits 2 on %s', async (_name, args, env, message) => {
    const result = await cli(['budget', 'check', ...args], env);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('clawpulsar budget balance', () => {
  it('prints the balance and lifetime spend', async () => {
    const result = await cli(
      ['budget', 'balance', '--provider', 'vercel', '--base-url', provider.url, '--json'],
      {
        CLAWPULSAR_PROVIDER_KEY: KEY,
      },
    );

    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.provider).toBe('vercel');
    expect(body.balances[0].currency).toBe('usd');
    expect(Number(body.balances[0].amount) + Number(body.totalUsed.amount)).toBeCloseTo(500, 6);
  });

  it('exits 2 for a provider without a balance API', async () => {
    const result = await cli(['budget', 'balance', '--provider', 'openai'], { CLAWPULSAR_PROVIDER_KEY: KEY });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('has no balance API');
  });
});

describe('the provider key', () => {
  it('never appears in anything the CLI printed', () => {
    expect(outputs.length).toBeGreaterThan(10);
    for (const { stdout, stderr } of outputs) {
      expect(stdout).not.toContain('CANARY');
      expect(stderr).not.toContain('CANARY');
    }
  });

  it('only ever reached the simulated usage endpoints', () => {
    const paths = new Set(provider.requests.map((request) => request.path));
    expect([...paths].sort()).toEqual([
      '/v1/credits',
      '/v1/organization/costs',
      '/v1/organizations/cost_report',
    ]);
  });
});
