import { STACK_ENV } from '../stackOptions.ts';

/**
 * What kind of edge an agent talks to, which decides what doctor advises: a local edge on this machine
 * (start it), another machine's edge (ask whoever runs it), or a deployed AWS stack (check the stack with
 * the operator's AWS credentials; the tunnel is IoT Core).
 */
export type EdgeKind =
  | { readonly kind: 'local' }
  | { readonly kind: 'remote' }
  | { readonly kind: 'aws'; readonly region?: string };

/** IoT Core's data endpoints: `{prefix}-ats.iot.{region}.amazonaws.com` (and the legacy one without -ats). */
const IOT_ENDPOINT = /^[a-z0-9]+(?:-ats)?\.iot\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com(?:\.cn)?$/;
/** An HTTP API's own endpoint: `{apiId}.execute-api.{region}.amazonaws.com`. */
const EXECUTE_API = /^[a-z0-9]+\.execute-api\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com(?:\.cn)?$/;

/**
 * The kind of edge at `edgeUrl`. The tunnel's server name settles it when the agent's config is at hand:
 * IoT Core is the tunnel of every stack, even one whose public routes are on a custom domain.
 *
 * @example
 * edgeKindOf('https://hooks.example.com', { serverName: 'a1b2-ats.iot.eu-west-1.amazonaws.com' });
 * // { kind: 'aws', region: 'eu-west-1' }
 */
export function edgeKindOf(edgeUrl: string, tunnel?: { readonly serverName: string }): EdgeKind {
  const iot = tunnel ? IOT_ENDPOINT.exec(tunnel.serverName.toLowerCase()) : null;
  if (iot) return { kind: 'aws', region: iot[1] as string };
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
 * `--stack NAME --region R` for a command against the stack: `$CLAWPULSAR_STACK` when set, else NAME for
 * the reader to fill in (the agent's config doesn't record which stack it registered with).
 */
export function stackArguments(kind: EdgeKind, env: NodeJS.ProcessEnv = process.env): string {
  const stack = env[STACK_ENV] || 'NAME';
  return `--stack ${stack}${kind.kind === 'aws' && kind.region ? ` --region ${kind.region}` : ''}`;
}
