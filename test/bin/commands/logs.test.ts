import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, CliProcess } from '../../support/cliProcess.ts';
import { runCommand } from '../../support/runCommand.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cp-logs-cli-'));
  mkdirSync(dir, { recursive: true });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const record = (time: string, event: string, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ time, level: 'info', event, ...extra })}\n`;

async function logs(...args: string[]) {
  const result = await runCommand(process.execPath, [CLI, 'logs', '--log-dir', dir, ...args], {
    timeoutMs: 20_000,
  });
  return { code: result.code, stdout: result.stdout.toString(), stderr: result.stderr };
}

describe('clawpulsar logs', () => {
  it('merges the edge and agent logs in time order, readable or raw', async () => {
    // Prepare
    writeFileSync(
      join(dir, 'edge.log'),
      record('2026-11-29T10:00:00.000Z', 'edge_started', { component: 'edge', port: 7700 }) +
        record('2026-11-29T10:00:02.000Z', 'webhook_accepted', { component: 'edge' }),
    );
    writeFileSync(
      join(dir, 'agent.log'),
      record('2026-11-29T10:00:01.000Z', 'tunnel_connected', { component: 'agent', note: 'a b' }),
    );

    // Act
    const human = await logs();
    const raw = await logs('--json', '--component', 'agent');
    const last = await logs('--lines', '1');

    // Assess
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toBe(
      [
        '2026-11-29 10:00:00 edge  info  edge_started port=7700',
        '2026-11-29 10:00:01 agent info  tunnel_connected note="a b"',
        '2026-11-29 10:00:02 edge  info  webhook_accepted',
        '',
      ].join('\n'),
    );
    expect(raw.stdout).toBe(
      record('2026-11-29T10:00:01.000Z', 'tunnel_connected', { component: 'agent', note: 'a b' }),
    );
    expect(last.stdout.trim()).toBe('2026-11-29 10:00:02 edge  info  webhook_accepted');
  });

  it('--follow prints lines as they are appended', async () => {
    // Prepare
    writeFileSync(join(dir, 'edge.log'), record('2026-11-29T10:00:00.000Z', 'before'));
    const follower = new CliProcess([
      'logs',
      '--follow',
      '--json',
      '--component',
      'edge',
      '--lines',
      '0',
      '--log-dir',
      dir,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    // Act
    appendFileSync(join(dir, 'edge.log'), record('2026-11-29T10:00:05.000Z', 'appended_later'));
    const [line] = await follower.waitFor(/\{.*appended_later.*\}/, 20_000);
    await follower.stop();

    // Assess
    expect(JSON.parse(line).event).toBe('appended_later');
    expect(follower.stdout).not.toContain('before');
  }, 30_000);

  it('says where logs are written when there are none, and refuses an unknown component', async () => {
    const none = await logs();
    const bad = await logs('--component', 'gateway');
    expect(none.code).toBe(0);
    expect(none.stderr).toContain(`No log lines yet in ${dir}`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--component must be edge or agent');
  });
});
