import { createHash } from 'node:crypto';
import { type SenderSetupReserve, sealRequest, toSealedRequest } from '../envelope/index.ts';
import { ClawPulsarError } from '../errors.ts';
import { isValidId } from '../ids.ts';
import type {
  Clock,
  DedupeStore,
  DeliveryLog,
  EnvelopeQueue,
  IngressSource,
  Logger,
  SourceDirectory,
} from '../ports.ts';
import type { VerifyInput } from '../signatures/types.ts';
import { getProvider } from '../signatures/verifyWebhook.ts';
import type { WebhookRequest } from '../WebhookRequest.ts';
import { errorResponse, type IngressResponse, jsonResponse } from './IngressResponse.ts';
import { MAX_WEBHOOK_BODY_BYTES, RETENTION_MS } from './limits.ts';

export interface IngressDeps {
  readonly sources: SourceDirectory;
  readonly dedupe: DedupeStore;
  readonly queue: EnvelopeQueue;
  readonly deliveryLog: DeliveryLog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A new unique envelope id (e.g. a UUID). */
  readonly newId: () => string;
  /** Sender setups prepared ahead; a long-running ingress only (a Lambda freezes between invocations). */
  readonly senderSetups?: SenderSetupReserve;
}

export interface IngressRoute {
  readonly agentId: string;
  readonly sourceId: string;
}

/**
 * The ingress pipeline shared by every runtime: verify over the raw bytes, answer handshakes, dedupe on
 * the provider's delivery id for 72 h, seal to the agent's key, enqueue — and answer 2xx only once the
 * envelope is stored. Nothing is stored for a request that fails any step.
 *
 * @example
 * const response = await handleIngress(deps, { agentId: 'laptop', sourceId: 'github' }, request);
 */
export async function handleIngress(
  deps: IngressDeps,
  route: IngressRoute,
  request: WebhookRequest,
): Promise<IngressResponse> {
  const meta = { agentId: route.agentId, sourceId: route.sourceId, sizeBytes: request.body.byteLength };
  if (!isValidId(route.agentId) || !isValidId(route.sourceId)) {
    return errorResponse(404, 'unknown_source', 'No such agent or source');
  }
  if (request.body.byteLength > MAX_WEBHOOK_BODY_BYTES) {
    deps.logger.warn('webhook_rejected', { ...meta, reason: 'payload_too_large' });
    return errorResponse(413, 'payload_too_large', `Body is over ${MAX_WEBHOOK_BODY_BYTES} bytes`);
  }
  if (request.method !== 'POST' && request.method !== 'GET') {
    return { ...errorResponse(405, 'method_not_allowed', 'Webhooks are POSTed'), headers: allowHeaders };
  }

  let source: IngressSource | undefined;
  try {
    source = await deps.sources.getIngressSource(route.agentId, route.sourceId);
  } catch (error) {
    deps.logger.error('source_lookup_failed', { ...meta, error: describe(error) });
    return errorResponse(503, 'unavailable', 'Source lookup failed; retry later');
  }
  if (!source) {
    deps.logger.warn('webhook_rejected', { ...meta, reason: 'unknown_source' });
    return errorResponse(404, 'unknown_source', `No source "${route.sourceId}" for agent "${route.agentId}"`);
  }

  const provider = getProvider(source.verification.provider);
  const input: VerifyInput = {
    request,
    source: source.verification,
    nowSeconds: Math.floor(deps.clock.now() / 1000),
  };

  if (request.method === 'GET') {
    // GETs are unsigned; only a provider's subscription handshake (Meta's hub.challenge) answers them.
    const answer = provider.handshake?.(input, { ok: false, reason: 'unsigned GET' });
    if (answer) return answer;
    return {
      ...errorResponse(405, 'method_not_allowed', 'This source accepts POST only'),
      headers: allowHeaders,
    };
  }

  const verified = provider.verify(input);
  if (!verified.ok) {
    deps.logger.warn('webhook_rejected', { ...meta, provider: provider.id, reason: verified.reason });
    return errorResponse(401, 'verification_failed', verified.reason);
  }
  const handshake = provider.handshake?.(input, verified);
  if (handshake) {
    deps.logger.info('handshake_answered', { ...meta, provider: provider.id, scheme: verified.scheme });
    return handshake;
  }

  const receivedAt = deps.clock.now();
  const deliveryId =
    verified.deliveryId ?? `sha256:${createHash('sha256').update(request.body).digest('hex')}`;
  const dedupeKey = `${route.agentId}/${route.sourceId}/${deliveryId}`;
  try {
    if (!(await deps.dedupe.claim(dedupeKey, receivedAt + RETENTION_MS))) {
      deps.logger.info('webhook_duplicate', { ...meta, provider: provider.id, deliveryId });
      return jsonResponse(200, { status: 'duplicate', deliveryId });
    }
  } catch (error) {
    deps.logger.error('dedupe_failed', { ...meta, error: describe(error) });
    return errorResponse(503, 'unavailable', 'Could not record the delivery; retry later');
  }

  const envelopeId = deps.newId();
  try {
    const sealed = sealRequest({
      recipientPublicKey: source.sealingPublicKey,
      binding: { agentId: route.agentId, sourceId: route.sourceId, deliveryId, receivedAt, envelopeId },
      request: toSealedRequest(request),
      setups: deps.senderSetups,
    });
    await deps.queue.enqueue({
      envelopeId,
      agentId: route.agentId,
      sourceId: route.sourceId,
      deliveryId,
      provider: provider.id,
      receivedAt,
      sealed,
    });
  } catch (error) {
    // Not stored: free the delivery id so the provider's retry is accepted, and ask it to retry.
    await deps.dedupe.release(dedupeKey).catch(() => undefined);
    deps.logger.error('enqueue_failed', {
      ...meta,
      provider: provider.id,
      deliveryId,
      error: describe(error),
    });
    return errorResponse(503, 'unavailable', 'Could not queue the webhook; retry later');
  }

  const entry = {
    envelopeId,
    agentId: route.agentId,
    sourceId: route.sourceId,
    provider: provider.id,
    deliveryId,
    receivedAt,
    sizeBytes: request.body.byteLength,
    status: 'queued' as const,
    attempts: 0,
    updatedAt: receivedAt,
  };
  // The envelope is stored: a failed metadata write must not make the provider send it again.
  await deps.deliveryLog.record(entry).catch((error: unknown) => {
    deps.logger.error('delivery_log_failed', { ...meta, envelopeId, error: describe(error) });
  });
  deps.logger.info('webhook_accepted', { ...meta, provider: provider.id, deliveryId, envelopeId });
  return jsonResponse(200, { status: 'accepted', envelopeId, deliveryId });
}

const allowHeaders = { 'content-type': 'application/json', allow: 'POST, GET' };

/** Error names and codes only: an error's message could echo input, so it is not logged. */
function describe(error: unknown): string {
  if (error instanceof ClawPulsarError) return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
