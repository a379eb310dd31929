import { check, type DoctorCheck } from './DoctorCheck.ts';

/** Clock offsets beyond these break timestamp tolerances (Stripe: 5 min) and certificate validity. */
const SKEW_WARN_MS = 30_000;
const SKEW_FAIL_MS = 120_000;

/**
 * Connectivity to the edge (`GET /healthz`) and the clock skew between this machine and the edge, from
 * the edge's `Date` header against the middle of the request's round trip.
 *
 * @example
 * const checks = await checkEdge('http://127.0.0.1:7700');
 */
export async function checkEdge(edgeUrl: string, now: () => number = Date.now): Promise<DoctorCheck[]> {
  const url = `${edgeUrl.replace(/\/$/, '')}/healthz`;
  const sent = now();
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' });
    await response.arrayBuffer();
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    return [
      check(
        'edge',
        'fail',
        `Cannot reach the edge at ${edgeUrl} (${code})`,
        edgeUrl.includes('127.0.0.1') || edgeUrl.includes('localhost')
          ? 'Start it: `clawpulsar dev` (or `clawpulsar service install --component edge`)'
          : 'Check the URL and your network; is the stack deployed?',
      ),
    ];
  }
  const received = now();
  const results: DoctorCheck[] = [
    response.ok
      ? check('edge', 'ok', `The edge answers at ${edgeUrl} (${received - sent} ms)`)
      : check(
          'edge',
          'fail',
          `The edge at ${edgeUrl} answered HTTP ${response.status} to /healthz`,
          'See `clawpulsar logs --component edge`',
        ),
  ];
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isNaN(date)) {
    results.push(
      check(
        'clock',
        'warn',
        'The edge sent no Date header; clock skew not measured',
        'Put no proxy that strips Date in front of the edge',
      ),
    );
    return results;
  }
  // The Date header has whole seconds: up to 1 s of the difference is its rounding.
  const skew = date - (sent + received) / 2;
  const size = Math.abs(skew);
  // Under 2 s is within what whole-second Date headers can tell.
  const text =
    size < 2000
      ? 'under 2 s'
      : `${(size / 1000).toFixed(0)} s ${skew > 0 ? 'behind the edge' : 'ahead of the edge'}`;
  const fix =
    'Synchronise this clock: `sudo timedatectl set-ntp true` (Linux) or System Settings → Date & Time (macOS)';
  ('Synchronise this clock: `sudo timedatectl set-ntp true` (Linux) or System Settings → Date & Time (macOS)');
  results.push(
    size < SKEW_WARN_MS + 1000
      ? check('clock', 'ok', `Clock skew with the edge: ${text}`)
      : check('clock', size < SKEW_FAIL_MS ? 'warn' : 'fail', `This clock is ${text}`, fix),
  );
  return results;
}
