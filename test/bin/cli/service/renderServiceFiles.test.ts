import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderLaunchdPlist } from '../../../../bin/cli/service/renderLaunchdPlist.ts';
import { renderSystemdUnit, systemdQuote } from '../../../../bin/cli/service/renderSystemdUnit.ts';
import { serviceFilePath, serviceSpec } from '../../../../bin/cli/service/ServiceSpec.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cp-service-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Paths with a space, a quote, a specifier and a variable, as a user's home might have. */
const awkward = () => ({
  nodePath: process.execPath,
  cliPath: resolve('dist/clawpulsar.mjs'),
  agentDir: join(dir, 'My "Agents"', '100%', '$HOME'),
  edgeDataDir: join(dir, 'edge & <data>'),
  logDir: join(dir, 'logs'),
  withEdge: true,
});

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

/**
 * Whether the outside verifier is here. .ci/run installs it; on a machine without it the verifier's
 * assertions are left out with this message rather than failing for a missing tool.
 */
function systemdAnalyzeAvailable(): boolean {
  if (!hasSystemdAnalyze) {
    console.warn(
      'systemd-analyze is not installed (Debian package systemd): unit files not verified by systemd',
    );
  }
  return hasSystemdAnalyze;
}

/** `systemd-analyze --user verify` as the outside judge of a unit file; it needs a runtime directory. */
function verifyUnit(path: string) {
  const runtime = mkdtempSync(join(dir, 'runtime-'));
  return spawnSync('systemd-analyze', ['--user', 'verify', path], {
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: runtime },
  });
}

describe('systemdQuote', () => {
  it('quotes words so systemd reads them back unchanged', () => {
    expect(systemdQuote('/usr/bin/node')).toBe('"/usr/bin/node"');
    expect(systemdQuote('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
    expect(systemdQuote('100%')).toBe('"100%%"');
    expect(systemdQuote('$HOME')).toBe('"$$HOME"');
  });

  it('refuses a line break, which would end the setting', () => {
    expect(() => systemdQuote('a\nExecStartPre=/bin/sh')).toThrow(/line break/);
  });
});

describe('renderSystemdUnit', () => {
  it('writes a unit that restarts on failure, runs the agent with its dir and log dir, after a local edge', () => {
    // Act
    const unit = renderSystemdUnit(serviceSpec('agent', awkward()));

    // Assess
    expect(unit).toContain('[Service]\nType=simple\nExecStart=');
    expect(unit).toContain(
      `"${process.execPath}" "--max-semi-space-size=1" "${resolve('dist/clawpulsar.mjs')}" "agent" "run" "--dir"`,
    );
    expect(unit).toContain('Environment="MALLOC_ARENA_MAX=2"');
    expect(unit).toContain('100%%');
    expect(unit).toContain('Restart=on-failure');
    expect(unit).toContain('After=clawpulsar-edge.service');
    expect(unit).toContain(`Environment="CLAWPULSAR_LOG_DIR=${join(dir, 'logs')}"`);
    expect(unit).toContain('WantedBy=default.target');
  });

  it('passes systemd-analyze verify, for the agent and the edge', () => {
    if (!systemdAnalyzeAvailable()) return;
    for (const component of ['agent', 'edge'] as const) {
      // Prepare
      const path = join(dir, `clawpulsar-${component}.service`);
      writeFileSync(path, renderSystemdUnit(serviceSpec(component, awkward())));

      // Act
      const result = verifyUnit(path);

      // Assess
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
    }
  });

  it('is judged by a verifier that does reject a broken unit', () => {
    if (!systemdAnalyzeAvailable()) return;
    // Prepare: the same unit with one quote removed, as an unescaped path would leave it.
    const path = join(dir, 'broken.service');
    writeFileSync(path, renderSystemdUnit(serviceSpec('agent', awkward())).replace('"agent"', '"agent'));

    // Act
    const result = verifyUnit(path);

    // Assess
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/quoting|bad unit file/i);
  });
});

describe('renderLaunchdPlist', () => {
  it('writes a plist that Python’s plistlib reads back with the exact arguments and environment', () => {
    // Prepare
    const spec = serviceSpec('edge', awkward());
    const path = join(dir, 'com.clawpulsar.edge.plist');
    writeFileSync(path, renderLaunchdPlist(spec));

    // Act
    const parsed = JSON.parse(
      execFileSync(
        'python3',
        ['-c', 'import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))', path],
        { encoding: 'utf8' },
      ),
    );

    // Assess
    expect(parsed).toEqual({
      Label: 'com.clawpulsar.edge',
      ProgramArguments: [...spec.argv],
      EnvironmentVariables: { CLAWPULSAR_LOG_DIR: join(dir, 'logs'), MALLOC_ARENA_MAX: '2' },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 10,
      ProcessType: 'Background',
      Umask: 63,
      StandardOutPath: join(dir, 'logs', 'edge.launchd.log'),
      StandardErrorPath: join(dir, 'logs', 'edge.launchd.log'),
    });
  });

  it('refuses control characters that XML cannot carry', () => {
    const spec = serviceSpec('agent', { ...awkward(), agentDir: '/tmp/a\u0001b' });
    expect(() => renderLaunchdPlist(spec)).toThrow(/control character/);
  });
});

describe('serviceFilePath', () => {
  it('puts the unit under ~/.config/systemd/user and the plist under ~/Library/LaunchAgents', () => {
    const spec = serviceSpec('agent', awkward());
    expect(serviceFilePath(spec, 'linux', '/home/me')).toBe(
      '/home/me/.config/systemd/user/clawpulsar-agent.service',
    );
    expect(serviceFilePath(spec, 'darwin', '/Users/me')).toBe(
      '/Users/me/Library/LaunchAgents/com.clawpulsar.agent.plist',
    );
  });
});
