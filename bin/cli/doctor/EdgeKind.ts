import type { RecordedStack } from '../../../agent/config/agentConfig.ts';
import { iotCoreRegion } from '../../../agent/tunnel/iotCoreEndpoint.ts';
import { AWS_REGION_PART } from '../../../lib/awsNames.ts';
import { STACK_ENV } from '../stackOptions.ts';

/**
 * What kind of edge an agent talks to, which decides what doctor advises: a local edge on this machine
 * (start it), another machine's edge (ask whoever runs it), or a deployed AWS stack (check the stack with
 * the operator's AWS credentials; the tunnel is IoT Core).
 */
export type EdgeKind =
  | { readonly kind: 'local' }
  | { readonly kind: 'remote' }
  | { readonly kind: 'aws'; readonly region?: string; readonly stack?: string };

/** An HTTP API's own endpoint: `{apiId}.execute-api.{region}.amazonaws.com`. */
const EXECUTE_API = new RegExp(
  `^[a-z0-9]+\\.execute-api\\.(${AWS_REGION_PART})\\.amazonaws\\.com(?:\\.cn)?$`,
);

/**
 * The kind of edge at `edgeUrl`. The agent's config settles it when at hand: the stack it registered
 * with (`agent register --stack`), else its tunnel's server name, IoT Core being the tunnel of every
 * stack, even one whose public routes are on a custom domain.
 *
 * @example
 * edgeKindOf('https://hooks.example.com', { serverName: 'a1b2-ats.iot.eu-west-1.amazonaws.com' });
 * // { kind: 'aws', region: 'eu-west-1' }
 * edgeKindOf(url, tunnel, { name: 'ClawPulsar', region: 'eu-west-1' });
 * // { kind: 'aws', region: 'eu-west-1', stack: 'ClawPulsar' }
 */
export function edgeKindOf(
  edgeUrl: string,
  tunnel?: { readonly serverName: string },
  stack?: RecordedStack,
): EdgeKind {
  const iotRegion = tunnel ? iotCoreRegion(tunnel.serverName) : undefined;
  if (stack) {
    const region = stack.region ?? iotRegion;
    return { kind: 'aws', ...(region ? { region } : {}), stack: stack.name };
  }
  if (iotRegion) return { kind: 'aws', region: iotRegion };
  const host = (URL.parse(edgeUrl)?.hostname ?? '').toLowerCase().replace(/^\[|\]$/g, '');
  const api = EXECUTE_API.exec(host);
  if (api) return { kind: 'aws', region: api[1] as string };
  if (host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)) return { kind: 'local' };
  return { kind: 'remote' };
}

/**
 * The command that shows a stack's state, for advice (see `stackArguments`).
 *
 * @example
 * stackStatusCommand({ kind: 'aws', region: 'eu-west-1' }, {}); // 'clawpulsar status --stack NAME --region eu-west-1'
 */
export function stackStatusCommand(kind: EdgeKind, env: NodeJS.ProcessEnv = process.env): string {
  return `clawpulsar status ${stackArguments(kind, env)}`;
}

/**
 * How to register this agent again with a new one-time token, on the edge it registered with.
 *
 * @example
 * registerAgainAdvice({ kind: 'local' }, 'laptop', 'http://127.0.0.1:7700');
 */
export function registerAgainAdvice(
  kind: EdgeKind,
  agentId: string,
  edgeUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const register = `\`clawpulsar agent register --force --edge ${edgeUrl} --token T\``;
  if (kind.kind === 'aws') {
    return `Register again with a new token: \`clawpulsar token create ${stackArguments(kind, env)} --agent ${agentId}\` where AWS credentials are at hand, then here ${register}`;
  }
  if (kind.kind === 'local') return 'Register again: `clawpulsar onboard --force`';
  return `Register again with a new token: \`clawpulsar token create --agent ${agentId}\` on the edge, then here ${register}`;
}

/**
 * `--stack NAME --region R` for a command against the stack: the stack the agent registered with when
 * its config says (it is this agent's stack, whatever `$CLAWPULSAR_STACK` points at), else
 * `$CLAWPULSAR_STACK` when set (an agent registered with `--edge URL`), else NAME for the reader to fill in.
 */
export function stackArguments(kind: EdgeKind, env: NodeJS.ProcessEnv = process.env): string {
  const stack = (kind.kind === 'aws' && kind.stack) || env[STACK_ENV] || 'NAME';
  return `--stack ${stack}${kind.kind === 'aws' && kind.region ? ` --region ${kind.region}` : ''}`;
}
