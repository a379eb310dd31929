/**
 * The outgoing alert webhook sender on the platform's `fetch`: a POST with the body given, redirects
 * never followed (a receiver can't bounce our request elsewhere), the answer's body drained and ignored.
 */
import { BlockList, isIP } from 'node:net';
import { ClawPulsarError } from '../../core/errors.ts';
import type { AlertWebhookSender } from '../../core/monitor/ports.ts';

export interface AlertWebhookSenderOptions {
  /**
   * Whether loopback and private addresses may be targets: yes on the local edge (a receiver on the
   * same machine or network), no in AWS, where such a URL could only aim at the platform itself.
   */
  readonly allowPrivateTargets: boolean;
}

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::1', 128],
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

/** True for `localhost` and for loopback, private and link-local address literals. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const version = isIP(host);
  return version !== 0 && PRIVATE.check(host, version === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Creates the sender.
 *
 * @example
 * const send = fetchAlertWebhookSender({ allowPrivateTargets: false });
 * const { status } = await send({ url, headers, body });
 */
export function fetchAlertWebhookSender(options: AlertWebhookSenderOptions): AlertWebhookSender {
  return async (request) => {
    const url = new URL(request.url);
    if (!options.allowPrivateTargets && isPrivateHost(url.hostname)) {
      throw new ClawPulsarError(
        'webhook_target_refused',
        'private and loopback targets are refused here',
        400,
      );
    }
    const response = await fetch(url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: request.signal ?? AbortSignal.timeout(10_000),
    });
    await response.body?.cancel();
    return { status: response.status };
  };
}
