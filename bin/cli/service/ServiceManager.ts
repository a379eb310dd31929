import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import type { ServicePlatform, ServiceSpec } from './ServiceSpec.ts';

/** The outcome of one service-manager command. */
export interface CommandOutcome {
  readonly command: string;
  readonly ok: boolean;
  /** The first line of its error output when it failed. */
  readonly detail?: string;
}

export interface ServiceState {
  /** Whether the manager knows the service and runs it (undefined when it could not be asked). */
  readonly active?: boolean;
  readonly detail?: string;
}

/** Runs one program; separate so tests can see the exact commands without a service manager. */
export type RunProgram = (
  program: string,
  args: readonly string[],
) => { code: number | null; stderr: string; stdout: string };

const runProgram: RunProgram = (program, args) => {
  const result = spawnSync(program, args, { encoding: 'utf8', timeout: 20_000 });
  return {
    code: result.error ? null : result.status,
    stdout: result.stdout ?? '',
    stderr: result.error ? result.error.message : (result.stderr ?? ''),
  };
};

/**
 * systemd (`systemctl --user`) or launchd (`launchctl … gui/<uid>`): the commands that load, start,
 * stop and query a user service. The manager is asked; nothing is assumed about its answer.
 */
export class ServiceManager {
  readonly platform: ServicePlatform;
  readonly #run: RunProgram;

  constructor(platform: ServicePlatform, run: RunProgram = runProgram) {
    this.platform = platform;
    this.#run = run;
  }

  /** The commands `start` runs, for --dry-run and for the advice when they fail. */
  startCommands(spec: ServiceSpec, file: string): string[][] {
    return this.platform === 'linux'
      ? [
          ['systemctl', '--user', 'daemon-reload'],
          ['systemctl', '--user', 'enable', '--now', `${spec.systemdName}.service`],
        ]
      : [
          ['launchctl', 'bootout', `${this.#domain()}/${spec.launchdLabel}`],
          ['launchctl', 'bootstrap', this.#domain(), file],
        ];
  }

  /** The commands `stop` runs before the file is removed. */
  stopCommands(spec: ServiceSpec): string[][] {
    return this.platform === 'linux'
      ? [['systemctl', '--user', 'disable', '--now', `${spec.systemdName}.service`]]
      : [['launchctl', 'bootout', `${this.#domain()}/${spec.launchdLabel}`]];
  }

  /** Enables and starts the service; stops at the first command that fails. */
  start(spec: ServiceSpec, file: string): CommandOutcome[] {
    const outcomes: CommandOutcome[] = [];
    for (const [program, ...args] of this.startCommands(spec, file)) {
      const outcome = this.#exec(program as string, args);
      // launchd's bootout of a service that is not loaded fails harmlessly.
      const optional = program === 'launchctl' && args[0] === 'bootout';
      outcomes.push(optional ? { ...outcome, ok: true } : outcome);
      if (!outcome.ok && !optional) break;
    }
    return outcomes;
  }

  /** Stops and disables the service; a service that was not loaded is not an error. */
  stop(spec: ServiceSpec): CommandOutcome[] {
    return this.stopCommands(spec).map(([program, ...args]) => this.#exec(program as string, args));
  }

  /** Tells systemd that a unit file went away. */
  reload(): CommandOutcome | undefined {
    return this.platform === 'linux' ? this.#exec('systemctl', ['--user', 'daemon-reload']) : undefined;
  }

  state(spec: ServiceSpec): ServiceState {
    if (this.platform === 'linux') {
      const result = this.#run('systemctl', ['--user', 'is-active', `${spec.systemdName}.service`]);
      const answer = result.stdout.trim();
      if (result.code === null || (answer === '' && result.code !== 0)) {
        return { detail: firstLine(result.stderr) ?? 'systemctl --user is not available' };
      }
      return { active: answer === 'active', detail: answer };
    }
    const result = this.#run('launchctl', ['print', `${this.#domain()}/${spec.launchdLabel}`]);
    if (result.code === null) return { detail: firstLine(result.stderr) ?? 'launchctl is not available' };
    if (result.code !== 0) return { active: false, detail: 'not loaded' };
    const state = /state = (\S+)/.exec(result.stdout)?.[1] ?? 'loaded';
    return { active: state === 'running', detail: state };
  }

  /**
   * Whether the user's services keep running without a login session (systemd "linger"); undefined
   * when that can't be asked or does not apply (launchd agents run while the user is logged in).
   */
  lingering(): boolean | undefined {
    if (this.platform !== 'linux') return undefined;
    const result = this.#run('loginctl', ['show-user', userInfo().username, '--property=Linger']);
    if (result.code !== 0) return undefined;
    return result.stdout.trim() === 'Linger=yes';
  }

  #domain(): string {
    return `gui/${userInfo().uid}`;
  }

  #exec(program: string, args: readonly string[]): CommandOutcome {
    const result = this.#run(program, args);
    const command = [program, ...args].join(' ');
    if (result.code === 0) return { command, ok: true };
    return { command, ok: false, detail: firstLine(result.stderr) ?? `exit code ${result.code}` };
  }
}

function firstLine(text: string): string | undefined {
  const line = text.split('\n').find((l) => l.trim().length > 0);
  return line?.trim().slice(0, 300);
}
