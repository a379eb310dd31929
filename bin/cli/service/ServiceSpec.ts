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
 * How each service runs Node: the flags before the CLI's path, and the environment. V8 sizes its young
 * generation from the machine's memory and grows it under load: on a 24 GiB machine the edge's reached
 * 64 and then 128 MB over 30,000 webhooks at 50 in flight, held for the process's life although what
 * lives in it after a collection is under 1 MB. Both processes make short-lived garbage (a webhook's or a
 * delivery's buffers), which a small young generation collects as well: the edge with 8 MiB semi-spaces
 * stayed at 151–163 MB against 183–235 MB, at the same throughput; the agent, with less garbage per
 * message, at 1 MiB. MALLOC_ARENA_MAX bounds glibc's per-thread arenas (libuv's threads, OpenSSL, the
 * edge's checkpoint worker); other C libraries ignore it. The benches run both processes the same way,
 * and `npm start` runs the edge with the same flags (test/bin/cli/service/ServiceSpec.test.ts keeps them
 * equal).
 */
export const SERVICE_RUNTIME: Readonly<
  Record<
    ServiceComponent,
    { readonly nodeOptions: readonly string[]; readonly env: Readonly<Record<string, string>> }
  >
> = {
  agent: { nodeOptions: ['--max-semi-space-size=1'], env: { MALLOC_ARENA_MAX: '2' } },
  edge: { nodeOptions: ['--max-semi-space-size=8'], env: { MALLOC_ARENA_MAX: '2' } },
};

/**
 * The service definition of a component: `clawpulsar agent run --dir …` or `clawpulsar dev --data-dir …`,
 * with the log directory in the environment so `clawpulsar logs` finds what it writes.
 *
 * @example
 * serviceSpec('agent', { nodePath: process.execPath, cliPath, agentDir, edgeDataDir, logDir, withEdge: false });
 */
export function serviceSpec(component: ServiceComponent, options: ServiceSpecOptions): ServiceSpec {
  const runtime = SERVICE_RUNTIME[component];
  const base = [options.nodePath, ...runtime.nodeOptions, options.cliPath];
  const env = { CLAWPULSAR_LOG_DIR: options.logDir, ...runtime.env };
  if (component === 'agent') {
    return {
      component,
      systemdName: 'clawpulsar-agent',
      launchdLabel: 'com.clawpulsar.agent',
      description: 'ClawPulsar agent: relays verified webhooks from the edge to this machine',
      argv: [...base, 'agent', 'run', '--dir', options.agentDir],
      env,
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
