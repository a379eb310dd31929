import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, CliProcess } from '../../support/cliProcess.ts';
import { runCommand } from '../../support/runCommand.ts';

/**
 * `clawpulsar onboard` as a user runs it: once at a real terminal (a pseudo-terminal from util-linux
 * `script`, answers typed ahead), and unattended with `--yes`, against real edges.
 */
const HOOKS_TOKEN = 'openclaw-hooks-CANARY-5e1d';
let root: string;
let openclawConfig: string;
const backgroundEdges: string[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cp-onboard-'));
  openclawConfig = join(root, 'openclaw.json');
  writeFileSync(
    openclawConfig,
    `{
      // as written by openclaw onboard, plus fields ClawPulsar does not read
      gateway: { port: 18790, bind: "loopback", auth: { mode: "token", token: "${HOOKS_TOKEN}" } },
      hooks: { enabled: true, token: "${HOOKS_TOKEN}", path: "/hooks", mappings: [{ match: { path: "github" }, action: "agent" }] },
      agents: { defaults: { model: "x" } },
    }`,
  );
});

afterAll(() => {
  for (const dataDir of backgroundEdges) {
    const info = join(dataDir, 'edge.json');
    if (existsSync(info)) {
      try {
        process.kill((JSON.parse(readFileSync(info, 'utf8')) as { pid: number }).pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
  rmSync(root, { recursive: true, force: true });
});

function onboardArgs(name: string, ...extra: string[]): string[] {
  const dataDir = join(root, name, 'edge');
  backgroundEdges.push(dataDir);
  return [
    'onboard',
    '--data-dir',
    dataDir,
    '--agent-dir',
    join(root, name, 'agent'),
    '--openclaw-config',
    openclawConfig,
    '--edge-port',
    '0',
    '--tunnel-port',
    '0',
    ...extra,
  ];
}

const env = (name: string) => ({
  CLAWPULSAR_LOG_DIR: join(root, name, 'logs'),
  OPENCLAW_GATEWAY_TOKEN: undefined,
});

describe('clawpulsar onboard at a terminal', () => {
  it('asks each question, starts the edge, registers, and routes a generated GitHub source to OpenClaw', async () => {
    // Prepare: the answers a person types: start the edge, agent id, one source with defaults, done,
    // and yes to the proposed route.
    const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, CLI, ...onboardArgs('pty')].map(quote).join(' ');
    const answers = ['', 'pty-laptop', 'github', '', '', '', ''].join('\n');

    // Act
    const result = await runCommand('script', ['-q', '-e', '-c', command, '/dev/null'], {
      input: `${answers}\n`,
      timeoutMs: 90_000,
      env: env('pty'),
    });

    // Assess
    const out = result.stdout.toString();
    expect(result.code, out).toBe(0);
    expect(out).toContain('? No local edge is running');
    expect(out).toContain('? Agent id for this machine');
    expect(out).toContain('? Add a webhook source: provider');
    expect(out).toContain('? File holding the signing secret (empty: generate one');
    expect(out).toContain(
      `? Forward "github" on this machine to http://127.0.0.1:18790/hooks/github with OpenClaw's hooks token? (Y/n)`,
    );
    expect(out).toMatch(/✓ Starting the local edge \(\d+\.\d s\)/);
    expect(out).toMatch(/✓ Registering this machine .*\(\d+\.\d s\)/);
    expect(out).toMatch(/http:\/\/127\.0\.0\.1:\d+\/v1\/hooks\/pty-laptop\/github/);
    expect(out).toMatch(/signing secret \(shown once\): [0-9a-f]{64}/);
    expect(out).toContain(
      '→ forwarded to http://127.0.0.1:18790/hooks/github with your OpenClaw hooks token',
    );
    expect(out).toContain('hooks.token is the same as the gateway auth token');
    const config = JSON.parse(readFileSync(join(root, 'pty', 'agent', 'config.json'), 'utf8'));
    expect(config.agentId).toBe('pty-laptop');
    expect(config.routes.github).toEqual({
      target: 'http://127.0.0.1:18790/hooks/github',
      headers: { Authorization: `Bearer ${HOOKS_TOKEN}` },
    });
    expect(readFileSync(openclawConfig, 'utf8')).toContain('// as written by openclaw onboard');
  }, 120_000);
});

describe('clawpulsar onboard --yes', () => {
  let edge: CliProcess;
  let edgeDir: string;

  beforeAll(async () => {
    edgeDir = join(root, 'yes', 'edge');
    edge = new CliProcess(['dev', '--data-dir', edgeDir, '--port', '0', '--tunnel-port', '0', '--json'], {
      CLAWPULSAR_LOG_DIR: join(root, 'yes', 'logs'),
    });
    await edge.waitFor(/\{"status":"running".*\}/, 60_000);
  }, 90_000);
  afterAll(async () => {
    await edge.stop();
  });

  async function onboard(...extra: string[]) {
    const result = await runCommand(
      process.execPath,
      [CLI, ...onboardArgs('yes', '--yes', '--json', ...extra)],
      {
        timeoutMs: 60_000,
        env: env('yes'),
      },
    );
    const stdout = result.stdout.toString();
    return {
      code: result.code,
      stdout,
      stderr: result.stderr,
      json: stdout ? JSON.parse(stdout) : undefined,
    };
  }

  it('uses the running edge and reports what it did as JSON, with progress on stderr', async () => {
    // Prepare
    const secretFile = join(root, 'stripe-secret');
    writeFileSync(secretFile, 'whsec_CANARYonboardStripeSecret0123');

    // Act
    const result = await onboard(
      '--agent-id',
      'yes-laptop',
      '--source',
      'github:github',
      '--source',
      `stripe:stripe:${secretFile}`,
    );

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.json).toMatchObject({
      edge: { local: true, started: false },
      agent: { agentId: 'yes-laptop', registration: 'new' },
      openclaw: { configFound: true, hooksEnabled: true, hooksTokenSet: true, mappingPaths: ['github'] },
    });
    expect(
      result.json.sources.map((s: { sourceId: string; route: unknown }) => [s.sourceId, s.route]),
    ).toEqual([
      [
        'github',
        {
          target: 'http://127.0.0.1:18790/hooks/github',
          headerNames: ['Authorization'],
          openClawMapping: true,
        },
      ],
      [
        'stripe',
        {
          target: 'http://127.0.0.1:18790/hooks/stripe',
          headerNames: ['Authorization'],
          openClawMapping: false,
        },
      ],
    ]);
    expect(result.json.sources[0].generatedSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(result.json.sources[1].generatedSecret).toBeUndefined();
    expect(result.json.warnings.join('\n')).toContain('no hooks mapping for "stripe"');
    expect(result.stdout).not.toContain(HOOKS_TOKEN);
    expect(result.stdout).not.toContain('whsec_CANARY');
    expect(result.stderr).toContain('✓ Registering this machine');
  }, 90_000);

  it('is idempotent: a second run keeps the registered agent', async () => {
    const result = await onboard();
    expect(result.code, result.stderr).toBe(0);
    expect(result.json.agent).toMatchObject({ agentId: 'yes-laptop', registration: 'existing' });
    expect(result.stderr).not.toContain('Registering this machine');
  }, 90_000);

  it('refuses a provider that issues its own secret without a secret file, before changing anything', async () => {
    const result = await onboard('--source', 'slack:slack');
    expect(result.code).toBe(2);
    expect(result.json.error.message).toContain('slack issues its own signing secret');
  }, 90_000);
});

describe('clawpulsar onboard without an edge', () => {
  it('says how to get one when told not to start it', async () => {
    const result = await runCommand(
      process.execPath,
      [CLI, ...onboardArgs('none', '--yes', '--no-start-edge')],
      {
        timeoutMs: 60_000,
        env: env('none'),
      },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No edge: start one with `clawpulsar dev`');
  }, 90_000);
});
