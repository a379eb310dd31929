import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentConfigSchema, DEFAULT_ALLOWLIST } from '../../../agent/config/agentConfig.ts';
import { readAgentConfig, writeAgentConfig } from '../../../agent/config/agentConfigFile.ts';
import { agentPaths } from '../../../agent/home/agentPaths.ts';

const minimal = {
  version: 1,
  agentId: 'laptop',
  edgeUrl: 'http://127.0.0.1:8787',
  webhookBaseUrl: 'http://127.0.0.1:8787/v1/hooks',
  tunnel: { host: '127.0.0.1', port: 8883, serverName: 'localhost' },
};

describe('agentConfigSchema', () => {
  it('fills in loopback-only allowlist, no routes and the forwarding and renewal defaults', () => {
    const config = agentConfigSchema.parse(minimal);
    expect(config.routes).toEqual({});
    expect(config.allowlist).toEqual(DEFAULT_ALLOWLIST);
    expect(config.forwarding).toEqual({
      concurrency: 16,
      timeoutMs: 30_000,
      maxAttempts: 8,
      retryBaseMs: 250,
      retryMaxMs: 30_000,
    });
    expect(config.renewal).toEqual({
      remainingFraction: 1 / 3,
      checkIntervalMs: 60_000,
      replyTimeoutMs: 60_000,
    });
  });

  it.each([
    ['an unknown field', { ...minimal, extra: 1 }, /Unrecognized key/],
    ['a bad agent id', { ...minimal, agentId: 'Laptop' }, /agentId/],
    [
      'a route for a bad source id',
      { ...minimal, routes: { 'Bad/Id': { target: 'http://127.0.0.1/' } } },
      /"routes","Bad\/Id"/,
    ],
    [
      'a non-http target',
      { ...minimal, routes: { github: { target: 'file:///etc/passwd' } } },
      /http:\/\/ or https:\/\//,
    ],
    [
      'a target with credentials',
      { ...minimal, routes: { github: { target: 'http://u:p@127.0.0.1/' } } },
      /without credentials/,
    ],
    [
      'a header with a line break',
      { ...minimal, routes: { github: { target: 'http://127.0.0.1/', headers: { 'X-A': 'a\r\nb' } } } },
      /line break/,
    ],
    [
      'a reserved header',
      {
        ...minimal,
        routes: { github: { target: 'http://127.0.0.1/', headers: { 'Transfer-Encoding': 'x' } } },
      },
      /hop-by-hop/,
    ],
    [
      'a bad header name',
      { ...minimal, routes: { github: { target: 'http://127.0.0.1/', headers: { 'Bad Name': 'x' } } } },
      /not a valid header name/,
    ],
    ['a bad allowlist entry', { ...minimal, allowlist: ['10.0.0.0/40'] }, /CIDR/],
    ['a stack name CloudFormation would refuse', { ...minimal, stack: { name: '1-stack' } }, /stack name/],
    [
      'a stack region that is not one',
      { ...minimal, stack: { name: 'ClawPulsar', region: 'Europe' } },
      /region name/,
    ],
    [
      'an unknown field of the stack (credentials have no place there)',
      { ...minimal, stack: { name: 'ClawPulsar', profile: 'ops' } },
      /Unrecognized key/,
    ],
    ['a renewal fraction of 1', { ...minimal, renewal: { remainingFraction: 1 } }, /remainingFraction/],
  ])('rejects %s', (_what, input, message) => {
    const parsed = agentConfigSchema.safeParse(input);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(message);
  });
});

describe('config.json', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const home = () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawpulsar-config-'));
    dirs.push(dir);
    return agentPaths(dir);
  };

  it('round-trips through a 0600 file', () => {
    const paths = home();
    const config = agentConfigSchema.parse({
      ...minimal,
      routes: {
        github: { target: 'http://127.0.0.1:18789/hooks/github', headers: { Authorization: 'Bearer t' } },
      },
    });
    writeAgentConfig(paths, config);
    expect(readAgentConfig(paths)).toEqual(config);
    expect(statSync(paths.config).mode & 0o777).toBe(0o600);
  });

  it('loads a config.json written before the stack was recorded, and keeps the stack once it is', () => {
    // Prepare: the file as earlier versions wrote it, every default spelled out and no "stack".
    const paths = home();
    const old = { ...agentConfigSchema.parse(minimal) };
    writeFileSync(paths.config, JSON.stringify(old, null, 2));

    // Act
    const loaded = readAgentConfig(paths);
    writeAgentConfig(paths, { ...loaded, stack: { name: 'ClawPulsar', region: 'eu-west-1' } });
    const recorded = readAgentConfig(paths);

    // Assess
    expect(loaded).toEqual(old);
    expect(loaded.stack).toBeUndefined();
    expect(recorded.stack).toEqual({ name: 'ClawPulsar', region: 'eu-west-1' });
    expect(JSON.parse(readFileSync(paths.config, 'utf8')).stack).toEqual({
      name: 'ClawPulsar',
      region: 'eu-west-1',
    });
  });

  it('names the bad field without echoing values', () => {
    const paths = home();
    writeFileSync(
      paths.config,
      JSON.stringify({
        ...minimal,
        routes: { github: { target: 'http://127.0.0.1/', headers: { 'X-Token': 'SECRET-VALUE\n' } } },
      }),
    );
    expect(() => readAgentConfig(paths)).toThrow(/routes\.github\.headers\.X-Token: contains a line break/);
    try {
      readAgentConfig(paths);
    } catch (error) {
      expect((error as Error).message).not.toContain('SECRET-VALUE');
    }
  });

  it('says so when the file is not JSON, or missing', () => {
    const paths = home();
    expect(() => readAgentConfig(paths)).toThrow(/No agent is registered/);
    writeFileSync(paths.config, '{ not json');
    expect(() => readAgentConfig(paths)).toThrow(/is not valid JSON/);
  });
});
