import { createHash, timingSafeEqual } from 'node:crypto';
import type { AgentConfig } from '../../../agent/config/agentConfig.ts';
import { inspectOpenClaw } from '../../../agent/openclaw/inspectOpenClaw.ts';
import { check, type DoctorCheck } from './DoctorCheck.ts';

/**
 * OpenClaw's side: its config and gateway (see `inspectOpenClaw`), and whether the agent's routes to the
 * gateway carry OpenClaw's hooks token, compared as hashes so no token is printed or kept.
 *
 * @example
 * const checks = await checkOpenClaw(openClawConfigPath(), agentConfig);
 */
export async function checkOpenClaw(
  configPath: string,
  agent?: AgentConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DoctorCheck[]> {
  let setup: Awaited<ReturnType<typeof inspectOpenClaw>>;
  try {
    setup = await inspectOpenClaw({ configPath, env });
  } catch (error) {
    return [
      check(
        'openclaw',
        'fail',
        error instanceof Error ? error.message : String(error),
        '`openclaw config validate` shows what is wrong',
      ),
    ];
  }
  const { inspection, hooksToken } = setup;
  const checks = inspection.findings.map((finding) =>
    check('openclaw', finding.level, finding.message, finding.fix),
  );
  if (!agent || !hooksToken) return checks;
  const gateway = new URL(inspection.gatewayUrl);
  const routes = [
    ...Object.entries(agent.routes),
    ...(agent.defaultRoute ? ([['*', agent.defaultRoute]] as const) : []),
  ];
  for (const [source, route] of routes) {
    const target = URL.parse(route.target);
    if (!target || target.port !== gateway.port || !isLoopback(target.hostname)) continue;
    const sent = bearerOf(route.headers ?? {});
    const matches = sent !== undefined && sameSecret(sent, hooksToken);
    checks.push(
      matches
        ? check('openclaw.route', 'ok', `Route "${source}" → ${route.target} carries OpenClaw's hooks token`)
        : check(
            'openclaw.route',
            'fail',
            `Route "${source}" → ${route.target} ${sent === undefined ? 'sends no hooks token' : "sends a token that is not OpenClaw's hooks.token"}; OpenClaw will answer 401`,
            `clawpulsar agent route add --source ${source === '*' ? '<id>' : source} --target ${route.target} --header 'Authorization: Bearer <hooks.token>'`,
          ),
    );
  }
  return checks;
}

function bearerOf(headers: Record<string, string>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization' && /^Bearer\s+/i.test(value))
      return value.replace(/^Bearer\s+/i, '').trim();
    if (lower === 'x-openclaw-token') return value.trim();
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || bare.startsWith('127.');
}
