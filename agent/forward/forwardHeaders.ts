import { isHopByHopHeader } from '../../lambdas/core/envelope/index.ts';

/** Headers the agent sets itself on every forwarded request; neither the original nor a route sets them. */
const AGENT_SET: ReadonlySet<string> = new Set([
  'content-length',
  'idempotency-key',
  'x-clawpulsar-delivery',
]);

/** True for a header a route may not configure: hop-by-hop, `host`, or one the agent sets. */
export function isReservedHeader(name: string): boolean {
  return isHopByHopHeader(name) || AGENT_SET.has(name.toLowerCase());
}

/** Delivery identifiers the local target can dedupe on. */
export interface DeliveryIdentity {
  /** The provider's delivery id: stable across every redelivery of the same webhook. */
  readonly deliveryId: string;
  readonly envelopeId: string;
}

/**
 * The headers sent to the local target: the original ones minus hop-by-hop headers, `host` and the
 * agent's own, then the route's headers (which win over an original of the same name, in any case),
 * then `Idempotency-Key` and `X-ClawPulsar-Delivery`.
 *
 * @example
 * forwardHeaders({ 'x-github-event': 'push' }, { Authorization: 'Bearer t' }, { deliveryId: 'd1', envelopeId: 'e1' });
 */
export function forwardHeaders(
  original: Readonly<Record<string, string>>,
  routeHeaders: Readonly<Record<string, string>> | undefined,
  identity: DeliveryIdentity,
): Record<string, string> {
  const overridden = routeHeaders
    ? new Set(Object.keys(routeHeaders).map((name) => name.toLowerCase()))
    : undefined;
  const entries: [string, string][] = [];
  for (const name of Object.keys(original)) {
    if (isReservedHeader(name) || overridden?.has(name.toLowerCase())) continue;
    entries.push([name, original[name]!]);
  }
  if (routeHeaders) for (const name of Object.keys(routeHeaders)) entries.push([name, routeHeaders[name]!]);
  entries.push(['Idempotency-Key', identity.deliveryId], ['X-ClawPulsar-Delivery', identity.envelopeId]);
  // fromEntries defines own properties, so a header named `__proto__` stays a header.
  return Object.fromEntries(entries);
}
