import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { readAgentConfig, writeAgentConfig } from '../../agent/config/agentConfigFile.ts';
import { withRoute } from '../../agent/config/editConfig.ts';
import { agentDir, agentPaths } from '../../agent/home/agentPaths.ts';
import {
  type InspectOptions,
  inspectOpenClaw,
  type OpenClawInspection,
  openClawTarget,
} from '../../agent/openclaw/inspectOpenClaw.ts';
import { openClawConfigPath } from '../../agent/openclaw/readOpenClawConfig.ts';
import { type RegisteredAgent, registerWithEdge } from '../../agent/registration/registerWithEdge.ts';
import { isValidId } from '../../lambdas/core/ids.ts';
import type { SourceView } from '../../lambdas/core/management/SourceView.ts';
import { PROVIDER_IDS } from '../../lambdas/core/signatures/types.ts';
import { defaultEdgeDir } from '../../lambdas/edge/edgePaths.ts';
import { ManagementClient } from '../cli/ManagementClient.ts';
import { defaultAgentId } from '../cli/onboard/defaultAgentId.ts';
import {
  edgeHealthy,
  runningLocalEdge,
  startEdgeInBackground,
} from '../cli/onboard/startEdgeInBackground.ts';
import { EXIT, printError, UsageError } from '../cli/output.ts';
import { Prompter } from '../cli/Prompter.ts';
import { step } from '../cli/progress.ts';
import { resolveEdgeTarget } from '../cli/resolveManagementTarget.ts';

interface OnboardOptions {
  yes?: boolean;
  json?: boolean;
  edge?: string;
  tokenFile?: string;
  registrationToken?: string;
  dataDir?: string;
  startEdge: boolean;
  edgePort: string;
  tunnelPort: string;
  agentId?: string;
  agentDir?: string;
  force?: boolean;
  openclawConfig?: string;
  source: string[];
  routes: boolean;
}

/** Providers whose webhook secret you choose yourself, so onboarding can generate one for you. */
const CHOSEN_SECRET = new Set(['github', 'gitlab', 'standard-webhooks', 'telegram', 'bitbucket', 'linear']);

interface SourcePlan {
  readonly sourceId: string;
  readonly provider: string;
  readonly secret: string;
  readonly generated: boolean;
}

/**
 * `clawpulsar onboard`: the guided first run. Finds or starts the local edge (or uses a deployed one),
 * registers this machine's agent, looks at OpenClaw's config read-only, and adds sources routed to
 * OpenClaw's hooks with its hooks token. Every question has a flag, so `--yes` runs it unattended.
 */
export function registerOnboard(program: Command): void {
  program
    .command('onboard')
    .description('guided first run: edge, this machine’s agent, OpenClaw hooks, first sources and routes')
    .option('-y, --yes', 'ask nothing: take the flags given and defaults for the rest')
    .option('--json', 'print what was done as JSON (progress goes to stderr)')
    .option('--edge <url>', 'use this edge (e.g. a deployed stack) instead of the local one')
    .option(
      '--token-file <file>',
      'management token file for --edge (to create the registration token and sources)',
    )
    .option(
      '--registration-token <token>',
      'a registration token the operator gave you (instead of creating one)',
    )
    .option('--data-dir <dir>', 'local edge data dir (default ~/.clawpulsar/edge)')
    .option('--no-start-edge', 'do not start a local edge when none is running')
    .option('--edge-port <port>', 'HTTP port of a local edge started here', '7700')
    .option('--tunnel-port <port>', 'tunnel port of a local edge started here', '8883')
    .option('--agent-id <id>', 'this machine’s agent id (default: from the host name)')
    .option('--agent-dir <dir>', 'agent home (default $CLAWPULSAR_AGENT_DIR or ~/.clawpulsar/agent)')
    .option('--force', 'replace an agent already registered in the agent home (routes are kept)')
    .option(
      '--openclaw-config <file>',
      "OpenClaw's config (default $OPENCLAW_CONFIG_PATH or ~/.openclaw/openclaw.json)",
    )
    .option(
      '--source <id:provider[:secret-file]>',
      'add a source (repeatable); without a secret file one is generated for providers where you choose it (GitHub, GitLab, …)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--no-routes', 'do not add agent routes to OpenClaw’s hooks')
    .action(async (options: OnboardOptions) => {
      const prompter = new Prompter({ yes: options.yes === true });
      try {
        const report = await onboard(options, prompter);
        if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else process.stdout.write(`${summary(report)}\n`);
      } catch (error) {
        printError(options, error);
        process.exitCode = error instanceof UsageError ? EXIT.usage : EXIT.failed;
      } finally {
        prompter.close();
      }
    });
}

interface OnboardReport {
  edge: { url: string; local: boolean; started: boolean };
  agent: { agentId: string; dir: string; registration: 'new' | 'existing'; certificateExpiresAt?: number };
  openclaw: OpenClawInspection;
  sources: {
    sourceId: string;
    provider: string;
    webhookUrl: string;
    /** Shown once when onboarding generated it: paste it into the provider's webhook settings. */
    generatedSecret?: string;
    route?: { target: string; headerNames: string[]; openClawMapping: boolean };
  }[];
  warnings: string[];
  next: string[];
}

async function onboard(options: OnboardOptions, prompter: Prompter): Promise<OnboardReport> {
  const warnings: string[] = [];
  // Flags are checked before anything is started, registered or written.
  const plans = options.source.map(parseSourceFlag);
  const dataDir = options.dataDir ?? defaultEdgeDir();
  const home = agentDir(options.agentDir);

  // 1. The edge.
  let edgeUrl: string;
  let started = false;
  const local = options.edge === undefined;
  if (options.edge) {
    edgeUrl = options.edge.replace(/\/$/, '');
    if (!(await step(`Checking the edge at ${edgeUrl}`, () => edgeHealthy(edgeUrl)))) {
      throw new Error(
        `The edge at ${edgeUrl} does not answer /healthz; check the URL (clawpulsar doctor --edge ${edgeUrl}).`,
      );
    }
  } else {
    const running = await step('Looking for a local edge', () => runningLocalEdge(dataDir));
    if (running) edgeUrl = running.url;
    else {
      const start =
        options.startEdge &&
        (await prompter.confirm(
          `No local edge is running (${dataDir}). Start one in the background now?`,
          true,
        ));
      if (!start) {
        throw new UsageError(
          'No edge: start one with `clawpulsar dev` (or pass --edge URL), then run onboard again.',
        );
      }
      const edge = await step('Starting the local edge', () =>
        startEdgeInBackground({
          dataDir,
          port: Number(options.edgePort),
          tunnelPort: Number(options.tunnelPort),
        }),
      );
      edgeUrl = edge.url;
      started = true;
    }
  }
  const management = managementClient(options, dataDir);

  // 2. This machine's agent.
  const paths = agentPaths(home);
  const existing = existsSync(paths.config) ? readAgentConfig(paths) : undefined;
  let agentId = options.agentId ?? existing?.agentId ?? defaultAgentId();
  let registration: 'new' | 'existing' = 'existing';
  let registered: RegisteredAgent | undefined;
  const sameEdge = existing && existing.edgeUrl.replace(/\/$/, '') === edgeUrl;
  if (
    existing &&
    sameEdge &&
    !options.force &&
    (options.agentId === undefined || options.agentId === existing.agentId)
  ) {
    agentId = existing.agentId;
  } else {
    if (existing && !options.force) {
      const replace = await prompter.confirm(
        `${home} already holds agent "${existing.agentId}" of ${existing.edgeUrl}. Replace it (its routes are kept)?`,
        false,
      );
      if (!replace)
        throw new UsageError(`Keep the existing agent, or pass --force (or --agent-dir for another one).`);
    }
    if (options.agentId === undefined) agentId = await prompter.ask('Agent id for this machine', agentId);
    if (!isValidId(agentId))
      throw new UsageError(`"${agentId}" is not a valid agent id: 3-63 lower-case letters, digits or dashes`);
    const token =
      options.registrationToken ??
      (await step(`Creating a registration token for "${agentId}"`, async () => {
        if (!management) {
          throw new UsageError(
            'To create a registration token, pass --token-file F with --edge, or --registration-token T from the operator.',
          );
        }
        return (
          await management.request<{ token: string }>('POST', '/v1/tokens', { agentId, ttlMinutes: 15 })
        ).token;
      }));
    registered = await step('Registering this machine (keys are generated here and stay here)', () =>
      registerWithEdge({ dir: home, edgeUrl, token, force: existing !== undefined }),
    );
    agentId = registered.agentId;
    registration = 'new';
  }

  // 3. OpenClaw, read-only.
  const inspectOptions: InspectOptions = { configPath: openClawConfigPath(options.openclawConfig) };
  const { inspection, hooksToken } = await step('Looking at OpenClaw (read-only)', () =>
    inspectOpenClaw(inspectOptions),
  );
  for (const finding of inspection.findings) {
    if (finding.level !== 'ok') warnings.push(`${finding.message}${finding.fix ? ` — ${finding.fix}` : ''}`);
  }

  // 4. Sources and routes.
  if (prompter.interactive && plans.length === 0) {
    for (;;) {
      const provider = await prompter.ask(
        'Add a webhook source: provider (e.g. github, stripe; empty to finish)',
      );
      if (!provider) break;
      if (!(PROVIDER_IDS as readonly string[]).includes(provider)) {
        process.stderr.write(`  Unknown provider "${provider}". Known: ${PROVIDER_IDS.join(', ')}\n`);
        continue;
      }
      const sourceId = await prompter.ask('Source id (part of the webhook URL)', provider);
      const file = await prompter.ask(
        CHOSEN_SECRET.has(provider)
          ? 'File holding the signing secret (empty: generate one to paste into the provider)'
          : 'File holding the signing secret the provider gave you',
      );
      plans.push(sourcePlan(sourceId, provider, file || undefined));
    }
  }
  const sources: OnboardReport['sources'] = [];
  let config = readAgentConfig(paths);
  for (const plan of plans) {
    if (!management) {
      throw new UsageError('Adding sources needs management access: pass --token-file F with --edge.');
    }
    const view = await step(`Adding source "${plan.sourceId}" (${plan.provider})`, () =>
      management.request<SourceView>(
        'PUT',
        `/v1/agents/${encodeURIComponent(agentId)}/sources/${encodeURIComponent(plan.sourceId)}`,
        { provider: plan.provider, secrets: [plan.secret] },
      ),
    );
    const entry: OnboardReport['sources'][number] = {
      sourceId: plan.sourceId,
      provider: plan.provider,
      webhookUrl: view.webhookUrl,
      ...(plan.generated ? { generatedSecret: plan.secret } : {}),
    };
    const target = openClawTarget(inspection, plan.sourceId, plan.provider);
    const accepted =
      options.routes &&
      (await prompter.confirm(
        `Forward "${plan.sourceId}" on this machine to ${target.url}${hooksToken ? " with OpenClaw's hooks token" : ''}?`,
        true,
      ));
    if (!accepted) {
      warnings.push(
        `Source "${plan.sourceId}" has no route on this machine yet: clawpulsar agent route add --source ${plan.sourceId} --target <url>`,
      );
    } else {
      const headers = hooksToken ? { Authorization: `Bearer ${hooksToken}` } : undefined;
      config = withRoute(
        config,
        { source: plan.sourceId },
        { target: target.url, ...(headers ? { headers } : {}) },
      );
      entry.route = {
        target: target.url,
        headerNames: Object.keys(headers ?? {}),
        openClawMapping: target.mapped,
      };
      if (!hooksToken)
        warnings.push(
          `Route "${plan.sourceId}" has no OpenClaw hooks token: OpenClaw will answer 401 until you add one.`,
        );
      if (!target.mapped && inspection.configFound) {
        warnings.push(
          `OpenClaw has no hooks mapping for "${plan.sourceId}": add one to hooks.mappings with match.path "${plan.sourceId}" (ClawPulsar never edits OpenClaw's files).`,
        );
      }
    }
    sources.push(entry);
  }
  if (sources.some((source) => source.route)) writeAgentConfig(paths, config);

  const next = [
    'clawpulsar service install   (run the agent in the background; or `clawpulsar agent run` in a terminal)',
    ...(started
      ? ['clawpulsar service install --component edge   (keep the local edge running across reboots)']
      : []),
    'clawpulsar dashboard --open-link   (see webhooks arrive and spend at a glance)',
    'clawpulsar doctor   (check everything, with fixes)',
  ];
  return {
    edge: { url: edgeUrl, local, started },
    agent: {
      agentId,
      dir: home,
      registration,
      ...(registered ? { certificateExpiresAt: registered.notAfter } : {}),
    },
    openclaw: inspection,
    sources,
    warnings,
    next,
  };
}

function managementClient(options: OnboardOptions, dataDir: string): ManagementClient | undefined {
  try {
    return new ManagementClient(
      resolveEdgeTarget({
        ...(options.edge ? { edge: options.edge } : {}),
        ...(options.tokenFile ? { tokenFile: options.tokenFile } : {}),
        dataDir,
      }),
    );
  } catch {
    return undefined;
  }
}

function parseSourceFlag(value: string): SourcePlan {
  const [sourceId = '', provider = '', ...file] = value.split(':');
  return sourcePlan(sourceId, provider, file.length ? file.join(':') : undefined);
}

function sourcePlan(sourceId: string, provider: string, secretFile: string | undefined): SourcePlan {
  if (!isValidId(sourceId))
    throw new UsageError(
      `--source: "${sourceId}" is not a valid source id (3-63 lower-case letters, digits or dashes)`,
    );
  if (!(PROVIDER_IDS as readonly string[]).includes(provider) || provider === 'generic') {
    throw new UsageError(
      `--source ${sourceId}: unknown provider "${provider}" (generic sources: use \`clawpulsar source add\`)`,
    );
  }
  if (secretFile) {
    let secret: string;
    try {
      secret = readFileSync(secretFile, 'utf8').trim();
    } catch {
      throw new UsageError(`Cannot read the secret file ${secretFile}`);
    }
    if (!secret) throw new UsageError(`The secret file ${secretFile} is empty`);
    return { sourceId, provider, secret, generated: false };
  }
  if (!CHOSEN_SECRET.has(provider)) {
    throw new UsageError(
      `--source ${sourceId}: ${provider} issues its own signing secret; give it as ${sourceId}:${provider}:<secret-file>`,
    );
  }
  return { sourceId, provider, secret: randomBytes(32).toString('hex'), generated: true };
}

function summary(report: OnboardReport): string {
  const lines = [
    '',
    `Edge         ${report.edge.url}${report.edge.started ? ' (started in the background)' : ''}`,
    `Agent        "${report.agent.agentId}" in ${report.agent.dir} (${report.agent.registration === 'new' ? 'registered now' : 'already registered'})`,
    `OpenClaw     ${report.openclaw.configFound ? `${report.openclaw.configPath}, hooks ${report.openclaw.hooksEnabled ? `on at ${report.openclaw.gatewayUrl}${report.openclaw.hooksPath}` : 'off'}` : 'not found'}`,
  ];
  for (const source of report.sources) {
    lines.push(
      '',
      `Source "${source.sourceId}" (${source.provider}): paste this webhook URL into the provider:`,
      `  ${source.webhookUrl}`,
    );
    if (source.generatedSecret)
      lines.push(`  and this signing secret (shown once): ${source.generatedSecret}`);
    if (source.route)
      lines.push(
        `  → forwarded to ${source.route.target}${source.route.headerNames.length ? ' with your OpenClaw hooks token' : ''}`,
      );
  }
  if (report.warnings.length) lines.push('', 'Warnings:', ...report.warnings.map((w) => `  ! ${w}`));
  lines.push('', 'Next:', ...report.next.map((n) => `  ${n}`));
  return lines.join('\n');
}
