import { homedir } from 'node:os';
import { join } from 'node:path';

/** The background services `clawpulsar service` manages, separate from OpenClaw's own. */
export const SERVICE_COMPONENTS = ['agent', 'edge'] as const;
export type ServiceComponent = (typeof SERVICE_COMPONENTS)[number];
export type ServicePlatform = 'linux' | 'darwin';

/** What one service runs, independent of the service manager. */
export interface ServiceSpec {
  readonly component: ServiceComponent;
  /** `clawpulsar-agent` (systemd) / `com.clawpulsar.agent` (launchd). */
  readonly systemdName: string;
  readonly launchdLabel: string;
  readonly description: string;
  /** Absolute program and its arguments. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Start after these systemd units (the agent after a local edge on the same machine). */
  readonly after: readonly string[];
  readonly logDir: string;
}

export interface ServiceSpecOptions {
  /** The Node binary that runs the CLI (default: this one). */
  readonly nodePath: string;
  /** The CLI's entry file, e.g. `/usr/lib/node_modules/clawpulsar/dist/clawpulsar.mjs`. */
  readonly cliPath: string;
  readonly agentDir: string;
  readonly edgeDataDir: string;
  readonly logDir: string;
  /** Whether the edge runs as a service on this machine too. */
  readonly withEdge: boolean;
}

/**
 * How the agent's service runs Node. V8's young generation grows to 16 MiB per semi-space under load;
 * the agent's garbage is small and short-lived (a delivery's buffers), so a 1 MiB semi-space collects it
 * as well with tens of MB less resident. MALLOC_ARENA_MAX bounds glibc's per-thread arenas (libuv's
 * threads, OpenSSL); other C libraries ignore it. The bench runs its agent the same way.
 */
export const AGENT_RUNTIME = {
  nodeOptions: ['--max-semi-space-size=1'],
  env: { MALLOC_ARENA_MAX: '2' },
} as const;

/**
 * The service definition of a component: `clawpulsar agent run --dir …` or `clawpulsar dev --data-dir …`,
 * with the log directory in the environment so `clawpulsar logs` finds what it writes.
 *
 * @example
 * serviceSpec('agent', { nodePath: process.execPath, cliPath, agentDir, edgeDataDir, logDir, withEdge: false });
 */
export function serviceSpec(component: ServiceComponent, options: ServiceSpecOptions): ServiceSpec {
  const base = [options.nodePath, options.cliPath];
  const env = { CLAWPULSAR_LOG_DIR: options.logDir };
  if (component === 'agent') {
    return {
      component,
      systemdName: 'clawpulsar-agent',
      launchdLabel: 'com.clawpulsar.agent',
      description: 'ClawPulsar agent: relays verified webhooks from the edge to this machine',
      argv: [
        options.nodePath,
        ...AGENT_RUNTIME.nodeOptions,
        options.cliPath,
        'agent',
        'run',
        '--dir',
        options.agentDir,
      ],
      env: { ...env, ...AGENT_RUNTIME.env },
      after: options.withEdge ? ['clawpulsar-edge.service'] : [],
      logDir: options.logDir,
    };
  }
  return {
    component,
    systemdName: 'clawpulsar-edge',
    launchdLabel: 'com.clawpulsar.edge',
    description: 'ClawPulsar local edge: webhook ingress, management API and agent tunnel on loopback',
    argv: [...base, 'dev', '--data-dir', options.edgeDataDir],
    env,
    after: [],
    logDir: options.logDir,
  };
}

/** Where the unit or plist of a service is written, per platform. */
export function serviceFilePath(spec: ServiceSpec, platform: ServicePlatform, home = homedir()): string {
  return platform === 'linux'
    ? join(home, '.config', 'systemd', 'user', `${spec.systemdName}.service`)
    : join(home, 'Library', 'LaunchAgents', `${spec.launchdLabel}.plist`);
}
