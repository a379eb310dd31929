import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { RecordedStack } from '../../agent/config/agentConfig.ts';
import { readAgentConfig } from '../../agent/config/agentConfigFile.ts';
import { loadAgentCredentials } from '../../agent/credentials/AgentCredentials.ts';
import { type AgentPaths, agentDir, agentPaths } from '../../agent/home/agentPaths.ts';
import type { AgentView } from '../../lambdas/core/management/AgentView.ts';
import type { DeliveryLogEntry, DeliveryStatus } from '../../lambdas/core/ports.ts';
import { defaultEdgeDir } from '../../lambdas/edge/edgePaths.ts';
import { localEdgeUrl } from '../cli/doctor/runDoctor.ts';
import { ManagementClient } from '../cli/ManagementClient.ts';
import type { ManagementTarget } from '../cli/ManagementTarget.ts';
import { type ManagementOptions, when, withManagementOptions } from '../cli/managementCommand.ts';
import { EXIT, print, printError } from '../cli/output.ts';
import { resolveEdgeTarget } from '../cli/resolveManagementTarget.ts';
import { chosenStack } from '../cli/stackOptions.ts';

interface StatusOptions extends ManagementOptions {
  agentDir?: string;
}

const HOUR = 3_600_000;
/** The delivery log is read newest first up to this many entries to count the last hour. */
const DELIVERY_SAMPLE = 1000;

/**
 * `clawpulsar status [--json]`: is the edge running (or, with `--stack`, is the stack deployed and
 * ready), which agents are online, how the last hour's deliveries went, and this machine's agent. An
 * agent registered with `--stack` points it at that stack when no `--stack`, `--edge` or
 * $CLAWPULSAR_STACK says otherwise.
 */
export function registerStatus(program: Command): void {
  withManagementOptions(
    program
      .command('status')
      .description('edge running?, agents online, deliveries in the last hour, this machine’s agent')
      .option('--agent-dir <dir>', 'agent home (default $CLAWPULSAR_AGENT_DIR or ~/.clawpulsar/agent)'),
  ).action(async (options: StatusOptions) => {
    try {
      const status = await collect(options);
      print(options, status, describe(status));
      if (!status.edge.running) process.exitCode = EXIT.failed;
    } catch (error) {
      printError(options, error);
      process.exitCode = EXIT.failed;
    }
  });
}

interface Status {
  edge: {
    url: string;
    running: boolean;
    stack?: { name: string; region?: string; status?: string; problem?: string };
  };
  management: { available: boolean; reason?: string };
  agents?: {
    total: number;
    online: number;
    list: { agentId: string; status: string; online: boolean; lastSeen?: number }[];
  };
  deliveriesLastHour?: { total: number; byStatus: Record<DeliveryStatus, number>; atLeast: boolean };
  thisAgent?: {
    agentId: string;
    dir: string;
    edgeUrl: string;
    certificateExpiresAt?: number;
    online?: boolean;
    problem?: string;
  };
}

/** A stack is running when it is deployed and ready; an edge when it answers /healthz. */
async function findEdge(
  options: StatusOptions,
): Promise<{ edge: Status['edge']; target?: () => ManagementTarget }> {
  const stack = chosenStack(options, recordedStack(agentPaths(agentDir(options.agentDir))));
  if (stack) {
    try {
      const { resolveStackTarget } = await import('../cli/resolveStackTarget.ts');
      const found = await resolveStackTarget(stack);
      return {
        edge: {
          url: found.edgeUrl,
          running: true,
          stack: { name: found.stackName, region: found.region, status: found.status },
        },
        target: () => found.management,
      };
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error);
      return { edge: { url: '-', running: false, stack: { name: stack.stack, problem } } };
    }
  }
  const url = options.edge ?? localEdgeUrl(options.dataDir ?? defaultEdgeDir());
  const running = await fetch(`${url.replace(/\/$/, '')}/healthz`, { signal: AbortSignal.timeout(3000) })
    .then((r) => r.ok)
    .catch(() => false);
  return { edge: { url, running }, ...(running ? { target: () => resolveEdgeTarget(options) } : {}) };
}

/** The stack this machine's agent registered with, if any; a config that doesn't load says so later. */
function recordedStack(paths: AgentPaths): RecordedStack | undefined {
  if (!existsSync(paths.config)) return undefined;
  try {
    return readAgentConfig(paths).stack;
  } catch {
    return undefined;
  }
}

async function collect(options: StatusOptions): Promise<Status> {
  const { edge, target } = await findEdge(options);
  const status: Status = { edge, management: { available: false } };

  if (target) {
    try {
      const client = new ManagementClient(target());
      const [{ agents }, { deliveries }] = await Promise.all([
        client.request<{ agents: AgentView[] }>('GET', '/v1/agents'),
        client.request<{ deliveries: DeliveryLogEntry[] }>('GET', `/v1/deliveries?limit=${DELIVERY_SAMPLE}`),
      ]);
      status.management = { available: true };
      status.agents = {
        total: agents.length,
        online: agents.filter((a) => a.online).length,
        list: agents.map((a) => ({
          agentId: a.agentId,
          status: a.status,
          online: a.online,
          ...(a.lastSeen !== undefined ? { lastSeen: a.lastSeen } : {}),
        })),
      };
      const since = Date.now() - HOUR;
      const recent = deliveries.filter((d) => d.receivedAt >= since);
      const byStatus: Record<DeliveryStatus, number> = { queued: 0, delivered: 0, failed: 0, expired: 0 };
      for (const d of recent) byStatus[d.status] += 1;
      status.deliveriesLastHour = {
        total: recent.length,
        byStatus,
        atLeast: deliveries.length === DELIVERY_SAMPLE && recent.length === DELIVERY_SAMPLE,
      };
    } catch (error) {
      status.management = {
        available: false,
        reason: error instanceof Error ? error.message : String(error),
      };
    }
  }

  const dir = agentDir(options.agentDir);
  const paths = agentPaths(dir);
  if (existsSync(paths.config)) {
    try {
      const config = readAgentConfig(paths);
      const { tls } = loadAgentCredentials(paths);
      const online = status.agents?.list.find((a) => a.agentId === config.agentId)?.online;
      status.thisAgent = {
        agentId: config.agentId,
        dir,
        edgeUrl: config.edgeUrl,
        certificateExpiresAt: tls.notAfter,
        ...(online !== undefined ? { online } : {}),
      };
    } catch (error) {
      status.thisAgent = {
        agentId: '?',
        dir,
        edgeUrl: '?',
        problem: error instanceof Error ? error.message : String(error),
      };
    }
  }
  return status;
}

function describe(status: Status): string {
  const stack = status.edge.stack;
  const lines = [
    stack
      ? stack.problem
        ? `stack       "${stack.name}": ${stack.problem}`
        : `stack       "${stack.name}" in ${stack.region}: ${stack.status}, agents register at ${status.edge.url}`
      : status.edge.running
        ? `edge        running at ${status.edge.url}`
        : `edge        not running at ${status.edge.url} — start it with \`clawpulsar dev\``,
  ];
  if (status.agents) {
    const names = status.agents.list.map((a) => `${a.agentId}${a.online ? ' (online)' : ''}`).join(', ');
    lines.push(
      status.agents.total
        ? `agents      ${status.agents.online} of ${status.agents.total} online: ${names}`
        : 'agents      none yet — run `clawpulsar onboard` (or `clawpulsar token create --agent my-laptop`)',
    );
  } else if (status.edge.running) {
    lines.push(`agents      unknown: ${status.management.reason ?? 'no management access from here'}`);
  }
  if (status.deliveriesLastHour) {
    const d = status.deliveriesLastHour;
    lines.push(
      `last hour   ${d.atLeast ? 'at least ' : ''}${d.total} deliver${d.total === 1 ? 'y' : 'ies'}: ${d.byStatus.delivered} delivered, ${d.byStatus.queued} queued, ${d.byStatus.failed} failed, ${d.byStatus.expired} expired`,
    );
  }
  const me = status.thisAgent;
  lines.push(
    me
      ? me.problem
        ? `this agent  ${me.problem}`
        : `this agent  ${me.agentId}${me.online === undefined ? '' : me.online ? ', online' : ', offline — is `clawpulsar agent run` running?'}; certificate until ${when(me.certificateExpiresAt)}`
      : 'this agent  none registered on this machine — run `clawpulsar onboard`',
  );
  return lines.join('\n');
}
