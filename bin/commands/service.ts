import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { agentDir, agentPaths } from '../../agent/home/agentPaths.ts';
import { defaultEdgeDir } from '../../lambdas/edge/edgePaths.ts';
import { logDir } from '../cli/logs/logPaths.ts';
import { EXIT, print, printError, UsageError } from '../cli/output.ts';
import { renderLaunchdPlist } from '../cli/service/renderLaunchdPlist.ts';
import { renderSystemdUnit } from '../cli/service/renderSystemdUnit.ts';
import { type CommandOutcome, ServiceManager } from '../cli/service/ServiceManager.ts';
import {
  SERVICE_COMPONENTS,
  type ServiceComponent,
  type ServicePlatform,
  type ServiceSpec,
  serviceFilePath,
  serviceSpec,
} from '../cli/service/ServiceSpec.ts';

interface ServiceOptions {
  component: string;
  agentDir?: string;
  dataDir?: string;
  logDir?: string;
  platform?: string;
  dryRun?: boolean;
  start: boolean;
  json?: boolean;
}

/**
 * `clawpulsar service install|uninstall|status`: runs the agent (and optionally the local edge) in the
 * background under the user's service manager — a systemd user unit on Linux, a launchd agent on macOS —
 * separate from OpenClaw's own service.
 */
export function registerService(program: Command): void {
  const service = program
    .command('service')
    .description('run the agent (and optionally the edge) as a background service of your user');
  withServiceOptions(
    service
      .command('install')
      .description('write the systemd user unit / launchd plist, then enable and start it')
      .option('--no-start', 'only write the file'),
  ).action((options: ServiceOptions) => act(options, install));
  withServiceOptions(
    service.command('uninstall').description('stop and disable the service and remove its file'),
  ).action((options: ServiceOptions) => act(options, uninstall));
  withServiceOptions(service.command('status').description('is the service installed and running?')).action(
    (options: ServiceOptions) => act(options, status),
  );
}

function withServiceOptions(command: Command): Command {
  return command
    .option('--component <name>', 'agent, edge or all', 'agent')
    .option('--agent-dir <dir>', 'agent home (default $CLAWPULSAR_AGENT_DIR or ~/.clawpulsar/agent)')
    .option('--data-dir <dir>', 'edge data dir (default ~/.clawpulsar/edge)')
    .option('--log-dir <dir>', 'log directory (default $CLAWPULSAR_LOG_DIR or ~/.clawpulsar/logs)')
    .option('--platform <name>', 'linux (systemd) or darwin (launchd); default: this machine')
    .option('--dry-run', 'print what would be written and run, change nothing')
    .option('--json', 'print JSON for scripts');
}

interface Context {
  readonly options: ServiceOptions;
  readonly platform: ServicePlatform;
  readonly manager: ServiceManager;
  readonly specs: readonly ServiceSpec[];
}

type Action = (context: Context) => { result: unknown; human: string; failed: boolean };

function act(options: ServiceOptions, action: Action): void {
  let context: Context;
  try {
    const platform = pickPlatform(options.platform);
    const components = pickComponents(options.component);
    const agentHome = agentDir(options.agentDir);
    const specs = components.map((component) =>
      serviceSpec(component, {
        nodePath: process.execPath,
        cliPath: realpathSync(process.argv[1] as string),
        agentDir: agentHome,
        edgeDataDir: options.dataDir ?? defaultEdgeDir(),
        logDir: logDir(options.logDir),
        withEdge: components.includes('edge'),
      }),
    );
    context = { options, platform, manager: new ServiceManager(platform), specs };
  } catch (error) {
    printError(options, error);
    process.exitCode = EXIT.usage;
    return;
  }
  try {
    const { result, human, failed } = action(context);
    print(options, result, human);
    if (failed) process.exitCode = EXIT.failed;
  } catch (error) {
    printError(options, error);
    process.exitCode = error instanceof UsageError ? EXIT.usage : EXIT.failed;
  }
}

interface InstallRecord {
  readonly component: ServiceComponent;
  readonly file: string;
  /** With --dry-run: what would be written and run. */
  readonly content?: string;
  readonly commands: readonly string[];
  readonly started: boolean;
  readonly outcomes: readonly CommandOutcome[];
}

const install: Action = ({ options, platform, manager, specs }) => {
  const agentHome = agentDir(options.agentDir);
  if (
    specs.some((s) => s.component === 'agent') &&
    !options.dryRun &&
    !existsSync(agentPaths(agentHome).config)
  ) {
    throw new UsageError(
      `No agent is registered in ${agentHome}; the service would only fail. Run \`clawpulsar onboard\` (or \`clawpulsar agent register\`) first.`,
    );
  }
  const services = specs.map((spec): InstallRecord => {
    const file = serviceFilePath(spec, platform);
    const content = render(platform, spec);
    const commands = manager.startCommands(spec, file).map(join);
    if (options.dryRun)
      return { component: spec.component, file, content, commands, started: false, outcomes: [] };
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    mkdirSync(spec.logDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, content, { mode: 0o644 });
    const outcomes = options.start ? manager.start(spec, file) : [];
    return {
      component: spec.component,
      file,
      commands,
      started: options.start && outcomes.every((o) => o.ok),
      outcomes,
    };
  });
  const failed = services.some((s) => s.outcomes.some((o) => !o.ok));
  const hints = options.dryRun
    ? platformHints(platform, undefined)
    : platformHints(platform, manager.lingering());
  const human = options.dryRun
    ? services.map((s) => `# ${s.file}\n${s.content}\n# then: ${s.commands.join(' && ')}\n`).join('\n')
    : [
        ...services.map((s) => {
          const failure = s.outcomes.find((o) => !o.ok);
          if (!options.start)
            return `Wrote ${s.file} (not started: --no-start). Start it with: ${s.commands.join(' && ')}`;
          return failure
            ? `Wrote ${s.file}, but \`${failure.command}\` failed: ${failure.detail}.\n  Once your user's service manager runs, start it with: ${s.commands.join(' && ')}`
            : `Installed and started the ${s.component} service (${s.file}).`;
        }),
        ...hints,
        'Check it with `clawpulsar service status` and `clawpulsar logs --follow`.',
      ].join('\n');
  return {
    result: { platform, dryRun: !!options.dryRun, services, hints },
    human,
    failed,
  };
};

const uninstall: Action = ({ options, platform, manager, specs }) => {
  const services = specs.map((spec) => {
    const file = serviceFilePath(spec, platform);
    const present = existsSync(file);
    if (options.dryRun) {
      return { component: spec.component, file, present, commands: manager.stopCommands(spec).map(join) };
    }
    const outcomes = present ? manager.stop(spec) : [];
    if (present) rmSync(file, { force: true });
    return { component: spec.component, file, removed: present, outcomes };
  });
  if (!options.dryRun && services.some((s) => 'removed' in s && s.removed)) manager.reload();
  const human = services
    .map((s) =>
      options.dryRun
        ? `Would stop ${s.component} and remove ${s.file}${s.present ? '' : ' (not installed)'}`
        : 'removed' in s && s.removed
          ? `Stopped the ${s.component} service and removed ${s.file}.`
          : `The ${s.component} service was not installed (${s.file}).`,
    )
    .join('\n');
  return { result: { platform, dryRun: !!options.dryRun, services }, human, failed: false };
};

const status: Action = ({ platform, manager, specs }) => {
  const services = specs.map((spec) => {
    const file = serviceFilePath(spec, platform);
    const installed = existsSync(file);
    const state = installed ? manager.state(spec) : { active: false };
    const current = installed ? readFileSync(file, 'utf8') : undefined;
    return {
      component: spec.component,
      file,
      installed,
      ...state,
      // A unit written by another install (another CLI path or Node) still works, but is worth knowing.
      upToDate: current === undefined ? undefined : current === render(platform, spec),
    };
  });
  const human = services
    .map((s) => {
      if (!s.installed)
        return `${s.component}: not installed (clawpulsar service install --component ${s.component})`;
      const state =
        s.active === undefined ? `unknown (${s.detail})` : s.active ? 'running' : `not running (${s.detail})`;
      return `${s.component}: installed at ${s.file}, ${state}${s.upToDate === false ? '; written by another install — `service install` rewrites it' : ''}`;
    })
    .join('\n');
  return {
    result: { platform, services },
    human,
    failed: services.some((s) => s.installed && s.active === false),
  };
};

function render(platform: ServicePlatform, spec: ServiceSpec): string {
  return platform === 'linux' ? renderSystemdUnit(spec) : renderLaunchdPlist(spec);
}

function platformHints(platform: ServicePlatform, lingering: boolean | undefined): string[] {
  if (platform !== 'linux' || lingering === true) return [];
  return [
    'On a headless machine, let your services run without a login session: loginctl enable-linger $USER',
  ];
}

function pickPlatform(value: string | undefined): ServicePlatform {
  const platform = value ?? process.platform;
  if (platform === 'linux' || platform === 'darwin') return platform;
  throw new UsageError(
    `Services are supported on linux (systemd) and darwin (launchd), not ${platform}; run \`clawpulsar agent run\` under your own supervisor`,
  );
}

function pickComponents(value: string): ServiceComponent[] {
  if (value === 'all') return [...SERVICE_COMPONENTS];
  if ((SERVICE_COMPONENTS as readonly string[]).includes(value)) return [value as ServiceComponent];
  throw new UsageError('--component must be agent, edge or all');
}

function join(command: readonly string[]): string {
  return command
    .map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}
