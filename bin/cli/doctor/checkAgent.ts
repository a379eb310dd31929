import { existsSync } from 'node:fs';
import type { AgentConfig } from '../../../agent/config/agentConfig.ts';
import { readAgentConfig } from '../../../agent/config/agentConfigFile.ts';
import { type AgentCredentials, loadAgentCredentials } from '../../../agent/credentials/AgentCredentials.ts';
import { agentPaths } from '../../../agent/home/agentPaths.ts';
import { ClawPulsarError } from '../../../lambdas/core/errors.ts';
import { check, type DoctorCheck } from './DoctorCheck.ts';
import { edgeKindOf, registerAgainAdvice } from './EdgeKind.ts';

export interface AgentChecks {
  readonly checks: DoctorCheck[];
  readonly config?: AgentConfig;
  readonly credentials?: AgentCredentials;
}

const HOUR = 3_600_000;

/**
 * This machine's agent: registered, its certificate valid and not overdue for renewal, routes present.
 *
 * @example
 * const { checks, config } = checkAgent('/home/me/.clawpulsar/agent');
 */
export function checkAgent(dir: string, now = Date.now(), env: NodeJS.ProcessEnv = process.env): AgentChecks {
  const paths = agentPaths(dir);
  if (!existsSync(paths.config)) {
    return {
      checks: [
        check(
          'agent',
          'warn',
          `No agent is registered in ${dir}`,
          'Run `clawpulsar onboard` (or `clawpulsar agent register --edge URL --token T`, or `--stack NAME` for a deployed stack)',
        ),
      ],
    };
  }
  let config: AgentConfig;
  let credentials: AgentCredentials;
  try {
    config = readAgentConfig(paths);
    credentials = loadAgentCredentials(paths);
  } catch (error) {
    const code = error instanceof ClawPulsarError ? error.code : 'error';
    return {
      checks: [
        check(
          'agent',
          'fail',
          error instanceof Error ? error.message : String(error),
          code === 'key_file_exposed'
            ? 'Run the chmod above'
            : 'Register again: `clawpulsar onboard --force`',
        ),
      ],
    };
  }
  const { notBefore, notAfter } = credentials.tls;
  const renewAfter = notAfter - (notAfter - notBefore) * config.renewal.remainingFraction;
  const left = notAfter - now;
  const checks: DoctorCheck[] = [
    check('agent', 'ok', `Agent "${config.agentId}" is registered with ${config.edgeUrl}`),
  ];
  if (left <= 0) {
    checks.push(
      check(
        'certificate',
        'fail',
        `The agent certificate expired at ${new Date(notAfter).toISOString()}`,
        registerAgainAdvice(
          edgeKindOf(config.edgeUrl, config.tunnel, config.stack),
          config.agentId,
          config.edgeUrl,
          env,
        ),
      ),
    );
  } else if (now >= renewAfter) {
    checks.push(
      check(
        'certificate',
        'warn',
        `The agent certificate expires in ${(left / HOUR).toFixed(1)} h and is due for renewal`,
        'Keep `clawpulsar agent run` running (it renews over the tunnel), e.g. `clawpulsar service install`',
      ),
    );
  } else {
    checks.push(
      check(
        'certificate',
        'ok',
        `The agent certificate is valid for ${(left / HOUR).toFixed(1)} h more (renewed while the agent runs)`,
      ),
    );
  }
  const routes = Object.keys(config.routes).length + (config.defaultRoute ? 1 : 0);
  checks.push(
    routes > 0
      ? check('routes', 'ok', `${routes} route${routes === 1 ? '' : 's'} to local targets`)
      : check(
          'routes',
          'warn',
          'The agent has no routes: every delivery would be refused',
          '`clawpulsar agent route add --source ID --target http://127.0.0.1:18789/hooks/ID`',
        ),
  );
  return { checks, config, credentials };
}
