import { connect } from 'node:net';
import { OPENCLAW_DEFAULT_PORT, readOpenClawConfig } from './readOpenClawConfig.ts';

export type CheckLevel = 'ok' | 'warn' | 'fail';

/** One finding about OpenClaw's setup, with what to do when it is not ok. */
export interface OpenClawFinding {
  readonly level: CheckLevel;
  readonly message: string;
  readonly fix?: string;
}

/** What ClawPulsar learned about OpenClaw on this machine. Never holds a token's value. */
export interface OpenClawInspection {
  readonly configPath: string;
  readonly configFound: boolean;
  /** `http://127.0.0.1:18789`: where OpenClaw's gateway listens. */
  readonly gatewayUrl: string;
  readonly gatewayReachable: boolean;
  readonly hooksEnabled: boolean;
  /** Base path of the HTTP hooks, `/hooks` by default. */
  readonly hooksPath: string;
  readonly hooksTokenSet: boolean;
  /** The `match.path` of each hooks mapping, e.g. `github` for `/hooks/github`. */
  readonly mappingPaths: readonly string[];
  readonly findings: readonly OpenClawFinding[];
}

export interface InspectOptions {
  readonly configPath: string;
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for the gateway's port (default 1500 ms). */
  readonly probeTimeoutMs?: number;
}

/** The inspection, and the hooks token for the routes the agent adds (kept out of the inspection). */
export interface OpenClawSetup {
  readonly inspection: OpenClawInspection;
  readonly hooksToken?: string;
}

/**
 * Looks at OpenClaw's config and gateway, read-only: hooks enabled, a hooks token that differs from the
 * gateway token (OpenClaw's own advice), which hook paths are mapped, and whether the gateway answers on
 * 127.0.0.1. `${VAR}` references in tokens resolve from the environment, as OpenClaw does.
 *
 * @example
 * const { inspection, hooksToken } = await inspectOpenClaw({ configPath: openClawConfigPath() });
 */
export async function inspectOpenClaw(options: InspectOptions): Promise<OpenClawSetup> {
  const env = options.env ?? process.env;
  const config = readOpenClawConfig(options.configPath);
  const port = envPort(env) ?? config?.gateway?.port ?? OPENCLAW_DEFAULT_PORT;
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const reachable = await portOpen('127.0.0.1', port, options.probeTimeoutMs ?? 1500);
  const hooks = config?.hooks;
  const hooksPath = normalisePath(hooks?.path ?? '/hooks');
  const hooksToken = resolveEnv(hooks?.token, env);
  const gatewayToken = resolveEnv(env.OPENCLAW_GATEWAY_TOKEN ?? config?.gateway?.auth?.token, env);
  const mappingPaths = (hooks?.mappings ?? [])
    .map((m) => m.match?.path?.replace(/^\/+|\/+$/g, ''))
    .filter((p): p is string => typeof p === 'string' && p.length > 0);

  const findings: OpenClawFinding[] = [];
  if (!config) {
    findings.push({
      level: 'warn',
      message: `No OpenClaw config at ${options.configPath}`,
      fix: 'Install and set up OpenClaw (`openclaw onboard`), or pass --openclaw-config <file>',
    });
  }
  findings.push(
    reachable
      ? { level: 'ok', message: `OpenClaw's gateway answers on ${gatewayUrl}` }
      : {
          level: 'warn',
          message: `Nothing listens on ${gatewayUrl}`,
          fix: 'Start OpenClaw (`openclaw gateway`); until then the agent keeps deliveries and retries',
        },
  );
  if (config && hooks?.enabled !== true) {
    findings.push({
      level: 'fail',
      message: 'OpenClaw HTTP hooks are disabled (hooks.enabled is not true)',
      fix: `Set hooks.enabled: true and a hooks.token in ${options.configPath}, then \`openclaw gateway restart\``,
    });
  } else if (config) {
    findings.push({ level: 'ok', message: `OpenClaw HTTP hooks are enabled under ${hooksPath}` });
  }
  if (config && hooks?.enabled === true && !hooksToken) {
    findings.push({
      level: 'fail',
      message:
        hooks.token && /^\$\{/.test(hooks.token)
          ? `hooks.token refers to ${hooks.token}, which is not set in this environment`
          : 'hooks.token is not set',
      fix: 'Give OpenClaw a long random hooks.token (e.g. `openssl rand -hex 32`) distinct from the gateway token',
    });
  }
  if (hooksToken && gatewayToken && hooksToken === gatewayToken) {
    findings.push({
      level: 'warn',
      message: 'hooks.token is the same as the gateway auth token',
      fix: 'Use a separate token for hooks: whoever holds it can then trigger hooks but not control the gateway',
    });
  }
  return {
    inspection: {
      configPath: options.configPath,
      configFound: config !== undefined,
      gatewayUrl,
      gatewayReachable: reachable,
      hooksEnabled: hooks?.enabled === true,
      hooksPath,
      hooksTokenSet: hooksToken !== undefined,
      mappingPaths,
      findings,
    },
    ...(hooksToken ? { hooksToken } : {}),
  };
}

/**
 * The local target for a source: `{gateway}{hooksPath}/{path}` where path is a hooks mapping named like
 * the source or its provider, else the source id (OpenClaw then needs a mapping with that `match.path`).
 *
 * @example
 * openClawTarget(inspection, 'github', 'github'); // { url: 'http://127.0.0.1:18789/hooks/github', mapped: true }
 */
export function openClawTarget(
  inspection: OpenClawInspection,
  sourceId: string,
  provider?: string,
): { url: string; mapped: boolean } {
  const mapped = inspection.mappingPaths.find((p) => p === sourceId || p === provider);
  return { url: `${inspection.gatewayUrl}${inspection.hooksPath}/${mapped ?? sourceId}`, mapped: !!mapped };
}

function normalisePath(path: string): string {
  const trimmed = path.trim().replace(/\/+$/, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function envPort(env: NodeJS.ProcessEnv): number | undefined {
  const value = Number(env.OPENCLAW_GATEWAY_PORT);
  return Number.isInteger(value) && value > 0 && value < 65536 ? value : undefined;
}

/** `${NAME}` resolves from the environment; an unresolved reference counts as no token. */
function resolveEnv(value: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (value === undefined || value.length === 0) return undefined;
  const reference = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(value.trim());
  if (!reference) return value;
  const resolved = env[reference[1] as string];
  return resolved && resolved.length > 0 ? resolved : undefined;
}

function portOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
