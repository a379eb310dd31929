import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentPaths } from '../../../agent/home/agentPaths.ts';
import { edgeInfoSchema } from '../ManagementClient.ts';
import { checkAgent } from './checkAgent.ts';
import { checkEdge } from './checkEdge.ts';
import { checkOpenClaw } from './checkOpenClaw.ts';
import { checkTunnel } from './checkTunnel.ts';
import { check, type DoctorCheck } from './DoctorCheck.ts';
import { edgeKindOf } from './EdgeKind.ts';

export interface DoctorOptions {
  readonly agentDir: string;
  /** The edge to check; default: the agent's edge, else the local edge in `edgeDataDir`. */
  readonly edgeUrl?: string;
  readonly edgeDataDir: string;
  readonly openClawConfigPath: string;
}

export interface DoctorReport {
  readonly ok: boolean;
  readonly edgeUrl: string;
  readonly checks: readonly DoctorCheck[];
}

/**
 * Runs every check: the edge and the clock, this machine's agent and its certificate, the tunnel with
 * mutual TLS, and OpenClaw's hooks. `ok` is false when any check failed (warnings are advice). An agent
 * registered with a deployed stack is checked against the stack's API and IoT Core, with fixes for them.
 *
 * @example
 * const report = await runDoctor({ agentDir, edgeDataDir, openClawConfigPath });
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const agent = checkAgent(options.agentDir);
  const config = agent.config;
  const edgeUrl = options.edgeUrl ?? config?.edgeUrl ?? localEdgeUrl(options.edgeDataDir);
  // The agent's stack, or its tunnel, tells a stack behind a custom domain from any other edge at that URL.
  const agentsEdge = config && config.edgeUrl === edgeUrl ? config : undefined;
  const edgeKind = edgeKindOf(edgeUrl, agentsEdge?.tunnel, agentsEdge?.stack);
  const [edge, tunnel, openclaw] = await Promise.all([
    checkEdge(edgeUrl, { kind: edgeKind }),
    config && agent.credentials
      ? checkTunnel(config, agent.credentials, {
          kind: edgeKindOf(config.edgeUrl, config.tunnel, config.stack),
          configPath: agentPaths(options.agentDir).config,
          agentDir: options.agentDir,
        })
      : Promise.resolve(
          check(
            'tunnel',
            'warn',
            'No agent on this machine: the tunnel was not checked',
            'Run `clawpulsar onboard`',
          ),
        ),
    checkOpenClaw(options.openClawConfigPath, config),
  ]);
  const checks = [...edge, ...agent.checks, tunnel, ...openclaw];
  return { ok: checks.every((c) => c.level !== 'fail'), edgeUrl, checks };
}

/** The URL the local edge in `dataDir` announced, else the default local edge address. */
export function localEdgeUrl(dataDir: string): string {
  const info = join(dataDir, 'edge.json');
  if (existsSync(info)) {
    const parsed = edgeInfoSchema.safeParse(JSON.parse(readFileSync(info, 'utf8')));
    if (parsed.success) return parsed.data.url;
  }
  return 'http://127.0.0.1:7700';
}
