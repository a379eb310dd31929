import { HEALTH_PATH, healthBodySchema } from '../../../lambdas/core/health/healthResponse.ts';
import { check, type DoctorCheck } from './DoctorCheck.ts';
import { type EdgeKind, edgeKindOf, stackStatusCommand } from './EdgeKind.ts';

/** Clock offsets beyond these break timestamp tolerances (Stripe: 5 min) and certificate validity. */
const SKEW_WARN_MS = 30_000;
const SKEW_FAIL_MS = 120_000;
/** More than a health answer is not one: read no further. */
const MAX_BODY_BYTES = 4096;
const TLS_CERTIFICATE_CODES = /CERT|SELF_SIGNED|ALTNAME|UNABLE_TO/;

export interface EdgeCheckOptions {
  /** Default: from the URL alone (an `execute-api` host is a stack, loopback is local). */
  readonly kind?: EdgeKind;
  readonly now?: () => number;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Connectivity to the edge (`GET /healthz`, answered `{"status":"ok"}` by the local edge and by a
 * deployed stack's HTTP API alike) and the clock skew between this machine and the edge, from the edge's
 * `Date` header against the middle of the request's round trip. Every failure says what to do next,
 * for the kind of edge it is.
 *
 * @example
 * const checks = await checkEdge('http://127.0.0.1:7700');
 * const onAws = await checkEdge('https://hooks.example.com', { kind: { kind: 'aws', region: 'eu-west-1' } });
 */
export async function checkEdge(edgeUrl: string, options: EdgeCheckOptions = {}): Promise<DoctorCheck[]> {
  const { now = Date.now, timeoutMs = 5000, env = process.env } = options;
  const kind = options.kind ?? edgeKindOf(edgeUrl);
  const what = kind.kind === 'aws' ? "the stack's API" : 'the edge';
  const subject = kind.kind === 'aws' ? "The stack's API" : 'The edge';
  const url = `${edgeUrl.replace(/\/$/, '')}${HEALTH_PATH}`;
  const sent = now();
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    body = await readCapped(response);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return [
      check('edge', 'fail', `Cannot reach ${what} at ${edgeUrl} (${code})`, unreachableFix(kind, code, env)),
    ];
  }
  const received = now();
  return [
    health(edgeUrl, kind, subject, response.status, body, received - sent, env),
    clock(response, sent, received),
  ];
}

function health(
  edgeUrl: string,
  kind: EdgeKind,
  subject: string,
  status: number,
  body: string,
  elapsedMs: number,
  env: NodeJS.ProcessEnv,
): DoctorCheck {
  const stack = `Check the stack: \`${stackStatusCommand(kind, env)}\` (where AWS credentials are at hand)`;
  if (status === 200) {
    return isHealthy(body)
      ? check('edge', 'ok', `${subject} answers at ${edgeUrl} (${elapsedMs} ms)`)
      : check(
          'edge',
          'fail',
          `Something at ${edgeUrl} answered ${HEALTH_PATH}, but not as a ClawPulsar edge`,
          'A captive portal or proxy may be in the way: sign in to the network, or check the URL (`clawpulsar agent status` shows the agent’s edge)',
        );
  }
  if (status === 404 && kind.kind === 'aws') {
    return check(
      'edge',
      'warn',
      `${subject} answers at ${edgeUrl} but has no ${HEALTH_PATH} route: the stack predates it`,
      'Redeploy the stack with this version (`npx cdk deploy`) to get the health route',
    );
  }
  if (status === 429) {
    return check(
      'edge',
      'warn',
      `${subject} at ${edgeUrl} is throttling ${HEALTH_PATH} (HTTP 429)`,
      kind.kind === 'aws'
        ? 'Run doctor again in a minute: the health route has its own tight throttle, shared by every caller'
        : 'Run doctor again in a minute',
    );
  }
  const fix =
    kind.kind === 'aws'
      ? status >= 500
        ? `${stack}; the ApiServerErrors alarm and the ingress function's CloudWatch logs say more`
        : `${stack}; a WAF or proxy in front of the API may refuse the request`
      : kind.kind === 'local'
        ? status === 404
          ? 'Something other than the edge listens there: check the URL and the port (`clawpulsar status`)'
          : 'See `clawpulsar logs --component edge`'
        : 'Ask whoever runs that edge to check it (`clawpulsar logs --component edge` on its machine)';
  return check('edge', 'fail', `${subject} at ${edgeUrl} answered HTTP ${status} to ${HEALTH_PATH}`, fix);
}

function isHealthy(body: string): boolean {
  try {
    return healthBodySchema.safeParse(JSON.parse(body)).success;
  } catch {
    return false;
  }
}

function unreachableFix(kind: EdgeKind, code: string, env: NodeJS.ProcessEnv): string {
  if (TLS_CERTIFICATE_CODES.test(code)) {
    return kind.kind === 'aws'
      ? "The API's TLS certificate is not valid for this name: for a custom domain, check its ACM certificate (clawpulsar:certificateArn); or a proxy on this network intercepts TLS"
      : 'The edge’s TLS certificate is not valid for this name: check the URL, or a proxy on this network intercepts TLS';
  }
  if (kind.kind === 'local')
    return 'Start it: `clawpulsar dev` (or `clawpulsar service install --component edge`)';
  if (kind.kind === 'remote') return 'Check the URL and your network; is the edge running there?';
  const stack = `\`${stackStatusCommand(kind, env)}\` (where AWS credentials are at hand)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `The host does not resolve: for a custom domain, point its DNS record at the stack's CustomDomainTarget output; else check the stack, which may have been deleted: ${stack}`;
  }
  return `Check this machine's network (a firewall or proxy in the way of HTTPS?), then the stack: ${stack}`;
}

function clock(response: Response, sent: number, received: number): DoctorCheck {
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isNaN(date)) {
    return check(
      'clock',
      'warn',
      'The edge sent no Date header; clock skew not measured',
      'Put no proxy that strips Date in front of the edge',
    );
  }
  // The Date header has whole seconds: up to 1 s of the difference is its rounding.
  const skew = date - (sent + received) / 2;
  const size = Math.abs(skew);
  // Under 2 s is within what whole-second Date headers can tell.
  const text =
    size < 2000
      ? 'under 2 s'
      : `${(size / 1000).toFixed(0)} s ${skew > 0 ? 'behind the edge' : 'ahead of the edge'}`;
  return size < SKEW_WARN_MS + 1000
    ? check('clock', 'ok', `Clock skew with the edge: ${text}`)
    : check(
        'clock',
        size < SKEW_FAIL_MS ? 'warn' : 'fail',
        `This clock is ${text}`,
        'Synchronise this clock: `sudo timedatectl set-ntp true` (Linux) or System Settings → Date & Time (macOS)',
      );
}

/** The body as text, at most MAX_BODY_BYTES of it: the rest is cancelled, not downloaded. */
async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}
