import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inspectOpenClaw, openClawTarget } from '../../../agent/openclaw/inspectOpenClaw.ts';
import { openClawConfigPath, readOpenClawConfig } from '../../../agent/openclaw/readOpenClawConfig.ts';

let dir: string;
let gateway: Server | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cp-openclaw-'));
});
afterEach(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => (gateway ? gateway.close(() => resolve()) : resolve()));
  gateway = undefined;
});

/** A listening port standing in for OpenClaw's gateway (the inspection only opens a TCP connection). */
async function listen(): Promise<number> {
  gateway = createServer((socket) => socket.end());
  await new Promise<void>((resolve) => gateway?.listen(0, '127.0.0.1', resolve));
  return (gateway.address() as { port: number }).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function writeConfig(text: string): string {
  const path = join(dir, 'openclaw.json');
  writeFileSync(path, text);
  return path;
}

/** OpenClaw's `${NAME}` environment reference. */
const envRef = (name: string) => `\${${name}}`;

const levels = (findings: readonly { level: string; message: string }[]) =>
  findings.map((f) => `${f.level}: ${f.message}`);

describe('readOpenClawConfig', () => {
  it('reads JSON5 with comments, trailing commas and fields it does not know', () => {
    // Prepare
    const path = writeConfig(`{
      // written by openclaw onboard
      meta: { lastTouchedVersion: "2026.3.1" },
      gateway: { port: 18790, bind: "loopback", auth: { mode: "token", token: "gw-token" }, },
      hooks: { enabled: true, token: "hook-token", mappings: [{ match: { path: "github" }, action: "agent", messageTemplate: "x" }], },
      channels: { telegram: { enabled: true } },
    }`);

    // Act
    const config = readOpenClawConfig(path);

    // Assess
    expect(config?.gateway?.port).toBe(18790);
    expect(config?.hooks?.mappings?.[0]?.match?.path).toBe('github');
    expect((config as Record<string, unknown>).channels).toEqual({ telegram: { enabled: true } });
  });

  it('returns undefined when there is no config file', () => {
    expect(readOpenClawConfig(join(dir, 'missing.json'))).toBeUndefined();
  });

  it('refuses text that is not JSON5, without echoing it', () => {
    const path = writeConfig('{ hooks: { token: "SECRET-CANARY" ');
    expect(() => readOpenClawConfig(path)).toThrow(/is not valid JSON5/);
    try {
      readOpenClawConfig(path);
    } catch (error) {
      expect((error as Error).message).not.toContain('SECRET-CANARY');
      expect((error as { code: string }).code).toBe('openclaw_config_invalid');
    }
  });

  it('names a field it reads that has the wrong type, never its value', () => {
    const path = writeConfig('{ gateway: { port: "SECRET-CANARY" } }');
    expect(() => readOpenClawConfig(path)).toThrow(/gateway\.port/);
    expect(() => readOpenClawConfig(path)).not.toThrow(/SECRET-CANARY/);
  });

  it('finds the config through the flag, OPENCLAW_CONFIG_PATH, then the home directory', () => {
    expect(openClawConfigPath('/x/y.json', {})).toBe('/x/y.json');
    expect(openClawConfigPath(undefined, { OPENCLAW_CONFIG_PATH: '/z/o.json' })).toBe('/z/o.json');
    expect(openClawConfigPath(undefined, {})).toMatch(/\.openclaw\/openclaw\.json$/);
  });
});

describe('inspectOpenClaw', () => {
  it('reports a healthy setup and hands over the hooks token separately', async () => {
    // Prepare
    const port = await listen();
    const path = writeConfig(
      JSON.stringify({
        gateway: { port, auth: { token: 'gw-token' } },
        hooks: {
          enabled: true,
          token: 'hook-token',
          path: 'hooks/',
          mappings: [{ match: { path: '/github/' } }],
        },
      }),
    );

    // Act
    const { inspection, hooksToken } = await inspectOpenClaw({ configPath: path, env: {} });

    // Assess
    expect(hooksToken).toBe('hook-token');
    expect(JSON.stringify(inspection)).not.toContain('hook-token');
    expect(inspection).toMatchObject({
      configFound: true,
      gatewayUrl: `http://127.0.0.1:${port}`,
      gatewayReachable: true,
      hooksEnabled: true,
      hooksPath: '/hooks',
      hooksTokenSet: true,
      mappingPaths: ['github'],
    });
    expect(inspection.findings.every((f) => f.level === 'ok')).toBe(true);
    expect(openClawTarget(inspection, 'github', 'github')).toEqual({
      url: `http://127.0.0.1:${port}/hooks/github`,
      mapped: true,
    });
    expect(openClawTarget(inspection, 'stripe-live', 'stripe')).toEqual({
      url: `http://127.0.0.1:${port}/hooks/stripe-live`,
      mapped: false,
    });
  });

  it('warns when the hooks token equals the gateway token', async () => {
    // Prepare
    const path = writeConfig(
      JSON.stringify({ gateway: { auth: { token: 'same' } }, hooks: { enabled: true, token: 'same' } }),
    );

    // Act
    const { inspection } = await inspectOpenClaw({ configPath: path, env: {}, probeTimeoutMs: 200 });

    // Assess
    const same = inspection.findings.find((f) => /same as the gateway/.test(f.message));
    expect(same?.level).toBe('warn');
    expect(same?.fix).toMatch(/separate token/);
  });

  it('fails disabled hooks and a missing token, each with the fix', async () => {
    // Prepare
    const disabled = writeConfig(JSON.stringify({ hooks: { enabled: false } }));

    // Act
    const first = await inspectOpenClaw({ configPath: disabled, env: {}, probeTimeoutMs: 200 });
    const noToken = writeConfig(JSON.stringify({ hooks: { enabled: true } }));
    const second = await inspectOpenClaw({ configPath: noToken, env: {}, probeTimeoutMs: 200 });

    // Assess
    expect(levels(first.inspection.findings)).toContain(
      'fail: OpenClaw HTTP hooks are disabled (hooks.enabled is not true)',
    );
    expect(levels(second.inspection.findings)).toContain('fail: hooks.token is not set');
    expect(second.inspection.findings.find((f) => f.level === 'fail')?.fix).toMatch(/openssl rand/);
  });

  it('resolves environment references in tokens from the environment, and says so when the variable is unset', async () => {
    // Prepare
    const path = writeConfig(
      JSON.stringify({
        gateway: { auth: { token: envRef('GW_TOKEN') } },
        hooks: { enabled: true, token: envRef('HOOKS_TOKEN') },
      }),
    );

    // Act
    const set = await inspectOpenClaw({
      configPath: path,
      env: { HOOKS_TOKEN: 'from-env', GW_TOKEN: 'from-env' },
      probeTimeoutMs: 200,
    });
    const unset = await inspectOpenClaw({ configPath: path, env: {}, probeTimeoutMs: 200 });

    // Assess
    expect(set.hooksToken).toBe('from-env');
    expect(levels(set.inspection.findings)).toContain(
      'warn: hooks.token is the same as the gateway auth token',
    );
    expect(unset.hooksToken).toBeUndefined();
    expect(levels(unset.inspection.findings)).toContain(
      `fail: hooks.token refers to ${envRef('HOOKS_TOKEN')}, which is not set in this environment`,
    );
  });

  it('warns when there is no config and nothing listens on the gateway port', async () => {
    // Prepare
    const port = await freePort();

    // Act
    const { inspection } = await inspectOpenClaw({
      configPath: join(dir, 'none.json'),
      env: { OPENCLAW_GATEWAY_PORT: String(port) },
      probeTimeoutMs: 500,
    });

    // Assess
    expect(inspection.configFound).toBe(false);
    expect(inspection.gatewayReachable).toBe(false);
    expect(inspection.gatewayUrl).toBe(`http://127.0.0.1:${port}`);
    expect(levels(inspection.findings)).toEqual([
      `warn: No OpenClaw config at ${join(dir, 'none.json')}`,
      `warn: Nothing listens on http://127.0.0.1:${port}`,
    ]);
  });
});
