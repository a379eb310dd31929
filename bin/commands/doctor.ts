import type { Command } from 'commander';
import { agentDir } from '../../agent/home/agentPaths.ts';
import { openClawConfigPath } from '../../agent/openclaw/readOpenClawConfig.ts';
import { defaultEdgeDir } from '../../lambdas/edge/edgePaths.ts';
import type { DoctorCheck } from '../cli/doctor/DoctorCheck.ts';
import { runDoctor } from '../cli/doctor/runDoctor.ts';
import { EXIT, print, printError } from '../cli/output.ts';

interface DoctorOptions {
  agentDir?: string;
  edge?: string;
  dataDir?: string;
  openclawConfig?: string;
  json?: boolean;
}

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

/**
 * `clawpulsar doctor [--json]`: checks the edge, the clock, the agent's certificate, the tunnel and
 * OpenClaw's hooks, each ok / warn / fail with the fix; exit 1 when any check fails.
 */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check the edge, clock, agent certificate, tunnel and OpenClaw hooks, with fixes')
    .option('--agent-dir <dir>', 'agent home (default $CLAWPULSAR_AGENT_DIR or ~/.clawpulsar/agent)')
    .option('--edge <url>', "the edge to check (default: the agent's edge, else the local edge)")
    .option('--data-dir <dir>', 'local edge data dir (default ~/.clawpulsar/edge)')
    .option(
      '--openclaw-config <file>',
      "OpenClaw's config (default $OPENCLAW_CONFIG_PATH or ~/.openclaw/openclaw.json)",
    )
    .option('--json', 'print JSON for scripts')
    .action(async (options: DoctorOptions) => {
      try {
        const report = await runDoctor({
          agentDir: agentDir(options.agentDir),
          ...(options.edge ? { edgeUrl: options.edge } : {}),
          edgeDataDir: options.dataDir ?? defaultEdgeDir(),
          openClawConfigPath: openClawConfigPath(options.openclawConfig),
        });
        const failed = report.checks.filter((c) => c.level === 'fail').length;
        const warned = report.checks.filter((c) => c.level === 'warn').length;
        print(
          options,
          report,
          [
            ...report.checks.map(line),
            '',
            failed
              ? `${failed} problem${failed === 1 ? '' : 's'} to fix${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}.`
              : warned
                ? `No problems; ${warned} warning${warned === 1 ? '' : 's'}.`
                : 'All good.',
          ].join('\n'),
        );
        if (!report.ok) process.exitCode = EXIT.failed;
      } catch (error) {
        printError(options, error);
        process.exitCode = EXIT.failed;
      }
    });
}

function line(c: DoctorCheck): string {
  return `${MARK[c.level]} ${c.id.padEnd(14)} ${c.message}${c.fix ? `\n  ${' '.repeat(15)}fix: ${c.fix}` : ''}`;
}
