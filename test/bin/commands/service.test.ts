import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../../support/runCommand.ts';

let home: string;
let agentDir: string;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'cp-service-home-'));
  agentDir = join(home, 'agent');
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** The built CLI with HOME pointing at a scratch directory, so nothing touches the real user's services. */
async function service(...args: string[]) {
  const result = await runCommand(
    process.execPath,
    ['dist/clawpulsar.mjs', 'service', ...args, '--agent-dir', agentDir, '--log-dir', join(home, 'logs')],
    {
      timeoutMs: 30_000,
      env: { HOME: home, XDG_RUNTIME_DIR: join(home, 'no-runtime'), DBUS_SESSION_BUS_ADDRESS: undefined },
    },
  );
  const stdout = result.stdout.toString();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { ...result, stdout, json };
}

function registerAgentHome(): void {
  mkdirSync(agentDir, { recursive: true });
  writeFileSync(join(agentDir, 'config.json'), '{}');
}

const unitPath = () => join(home, '.config', 'systemd', 'user', 'clawpulsar-agent.service');

describe('clawpulsar service', () => {
  it('--dry-run prints the unit and the systemctl commands and writes nothing', async () => {
    // Act
    const result = await service(
      'install',
      '--platform',
      'linux',
      '--dry-run',
      '--component',
      'all',
      '--json',
    );

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const services = result.json?.services as { file: string; content: string; commands: string[] }[];
    expect(services.map((s) => s.file)).toEqual([
      unitPath(),
      join(home, '.config', 'systemd', 'user', 'clawpulsar-edge.service'),
    ]);
    expect(services[0]?.content).toContain(`"--dir" "${agentDir}"`);
    expect(services[0]?.commands).toEqual([
      'systemctl --user daemon-reload',
      'systemctl --user enable --now clawpulsar-agent.service',
    ]);
    expect(result.json?.hints).toEqual([
      'On a headless machine, let your services run without a login session: loginctl enable-linger $USER',
    ]);
    expect(existsSync(join(home, '.config'))).toBe(false);
  });

  it('--dry-run on macOS prints the launchd plist and the launchctl commands', async () => {
    // Act
    const result = await service('install', '--platform', 'darwin', '--dry-run');

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `# ${join(home, 'Library', 'LaunchAgents', 'com.clawpulsar.agent.plist')}`,
    );
    expect(result.stdout).toContain('<string>com.clawpulsar.agent</string>');
    expect(result.stdout).toMatch(/launchctl bootstrap gui\/\d+ /);
  });

  it('refuses to install the agent service before an agent is registered', async () => {
    // Act
    const result = await service('install', '--platform', 'linux');

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('No agent is registered');
    expect(result.stderr).toContain('clawpulsar onboard');
    expect(existsSync(unitPath())).toBe(false);
  });

  it('writes the unit even where no user service manager runs, says how to start it, and exits 1', async () => {
    // Prepare
    registerAgentHome();

    // Act
    const result = await service('install', '--platform', 'linux');

    // Assess: this machine has no systemd user manager, so systemctl --user cannot connect.
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`Wrote ${unitPath()}, but \`systemctl --user daemon-reload\` failed`);
    expect(result.stdout).toContain('systemctl --user enable --now clawpulsar-agent.service');
    expect(readFileSync(unitPath(), 'utf8')).toContain('ExecStart=');
    expect(statSync(join(home, '.config', 'systemd', 'user')).mode & 0o777).toBe(0o700);
  });

  it('--no-start only writes the unit; status reports it; uninstall removes it', async () => {
    // Prepare
    registerAgentHome();

    // Act
    const installed = await service('install', '--platform', 'linux', '--no-start');
    const status = await service('status', '--platform', 'linux', '--json');
    const removed = await service('uninstall', '--platform', 'linux', '--json');
    const after = await service('status', '--platform', 'linux');

    // Assess
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain('(not started: --no-start)');
    const reported = (status.json as { services: Record<string, unknown>[] }).services[0];
    expect(reported).toMatchObject({ component: 'agent', installed: true, upToDate: true });
    expect(reported?.active).not.toBe(true);
    expect(removed.code, removed.stderr).toBe(0);
    expect((removed.json as { services: Record<string, unknown>[] }).services[0]).toMatchObject({
      removed: true,
    });
    expect(existsSync(unitPath())).toBe(false);
    expect(after.stdout).toContain('agent: not installed');
  });

  it('refuses an unknown component or platform with exit 2', async () => {
    const component = await service('status', '--component', 'gateway');
    const platform = await service('status', '--platform', 'win32');
    expect(component.code).toBe(2);
    expect(component.stderr).toContain('--component must be agent, edge or all');
    expect(platform.code).toBe(2);
    expect(platform.stderr).toContain('supported on linux (systemd) and darwin (launchd)');
  });
});
