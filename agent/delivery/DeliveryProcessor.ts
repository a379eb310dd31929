import { classifyStatus } from '../../lambdas/core/delivery/classifyStatus.ts';
import type { AckMessage } from '../../lambdas/core/delivery/messages.ts';
import { type EnvelopeBinding, openEnvelope, type SealedRequest } from '../../lambdas/core/envelope/index.ts';
import { ClawPulsarError } from '../../lambdas/core/errors.ts';
import type { Clock, Logger } from '../../lambdas/core/ports.ts';
import type { AgentConfig, Route } from '../config/agentConfig.ts';
import { forwardHeaders } from '../forward/forwardHeaders.ts';
import type { ForwardResult, LocalForwarder } from '../forward/LocalForwarder.ts';
import { forwardTarget, resolveRoute } from '../routing/resolveRoute.ts';
import type { TargetAllowlist } from '../routing/TargetAllowlist.ts';
import type { ConcurrencyLimiter } from './ConcurrencyLimiter.ts';
import { localRetryDelay, retryAfterMs } from './localRetryDelay.ts';
import { type DeliveryOutcome, OutcomeStore } from './OutcomeStore.ts';

/** The routing half of the config, swapped as a whole when `config.json` changes. */
export interface Routing {
  readonly config: Pick<AgentConfig, 'routes' | 'defaultRoute' | 'forwarding'>;
  readonly allowlist: TargetAllowlist;
}

export interface DeliveryProcessorDeps {
  readonly agentId: string;
  readonly sealingPrivateKey: Uint8Array;
  readonly routing: () => Routing;
  readonly forwarder: LocalForwarder;
  readonly limiter: ConcurrencyLimiter;
  readonly outcomes: OutcomeStore;
  /** Publishes an ack (QoS 1); the tunnel keeps it until the broker has it. */
  readonly ack: (ack: AckMessage) => void;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random?: () => number;
}

/**
 * What became of one envelope: forwarded (2xx acked), failed (final non-2xx or refused, acked), deferred
 * (still failing after the local attempts: not acked, the edge sends it again later), duplicate (acked
 * again from the remembered outcome), in-flight (a copy is being handled already), rejected (not opened:
 * not ours, altered or garbage; never acked).
 */
export type DeliveryResult = 'forwarded' | 'failed' | 'deferred' | 'duplicate' | 'in-flight' | 'rejected';

/**
 * The agent's delivery pipeline for one whole envelope: open it (addressed to this agent, unaltered),
 * dedupe by source and provider delivery id (in flight, and persisted for 72 h), route it through the
 * allowlist, forward it byte for byte with `Idempotency-Key`, retry what the target may still take
 * (5xx, 408, 429 with Retry-After, connection refused while OpenClaw restarts), and ack only final
 * outcomes. A retryable status is never acked: the edge keeps the envelope.
 *
 * @example
 * await processor.handle(envelopeId, sealed);
 */
export class DeliveryProcessor {
  readonly #deps: DeliveryProcessorDeps;
  readonly #inFlight = new Set<string>();
  /** Parsed route targets; routes are replaced, never mutated, when the config changes. */
  readonly #targetUrls = new WeakMap<Route, URL>();
  readonly #running = new Set<Promise<DeliveryResult>>();
  readonly #stop = new AbortController();
  readonly #capacityWaiters: { readonly limit: number; readonly resolve: () => void }[] = [];

  constructor(deps: DeliveryProcessorDeps) {
    this.#deps = deps;
  }

  /** Envelopes being handled now (including those waiting to retry). */
  get inFlight(): number {
    return this.#running.size;
  }

  /** Handles one reassembled envelope; never throws. */
  handle(frameEnvelopeId: string, sealed: Uint8Array): Promise<DeliveryResult> {
    const task = this.#handle(frameEnvelopeId, sealed).catch((error: unknown) => {
      this.#deps.logger.error('delivery_error', { envelopeId: frameEnvelopeId, error: errorName(error) });
      return 'deferred' as const;
    });
    this.#running.add(task);
    void task.finally(() => {
      this.#running.delete(task);
      this.#wakeCapacityWaiters();
    });
    return task;
  }

  /**
   * Undefined while fewer than `limit` envelopes are being handled; otherwise a promise that settles
   * once they are. The tunnel stops reading (and PUBACKing) until then, so a backlog stays in the broker.
   */
  belowLimit(limit: number): Promise<void> | undefined {
    if (this.#running.size < limit) return undefined;
    return new Promise((resolve) => this.#capacityWaiters.push({ limit, resolve }));
  }

  #wakeCapacityWaiters(): void {
    for (let i = this.#capacityWaiters.length - 1; i >= 0; i--) {
      const waiter = this.#capacityWaiters[i]!;
      if (this.#running.size < waiter.limit) {
        this.#capacityWaiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }

  /** Stops local retries (those deliveries stay un-acked for the edge) and waits for running attempts. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled([...this.#running]);
    for (const waiter of this.#capacityWaiters.splice(0)) waiter.resolve();
  }

  async #handle(frameEnvelopeId: string, sealed: Uint8Array): Promise<DeliveryResult> {
    const { logger, clock } = this.#deps;
    const startedAt = clock.now();
    let binding: EnvelopeBinding;
    let request: SealedRequest;
    try {
      ({ binding, request } = openEnvelope({
        recipientPrivateKey: this.#deps.sealingPrivateKey,
        envelope: sealed,
        expectedAgentId: this.#deps.agentId,
      }));
    } catch (error) {
      logger.warn('envelope_rejected', { envelopeId: frameEnvelopeId, code: errorCode(error) });
      return 'rejected';
    }
    if (binding.envelopeId !== frameEnvelopeId) {
      logger.warn('envelope_rejected', { envelopeId: frameEnvelopeId, code: 'envelope_id_mismatch' });
      return 'rejected';
    }
    const fields = { envelopeId: binding.envelopeId, sourceId: binding.sourceId };
    const key = OutcomeStore.key(binding.sourceId, binding.deliveryId);
    const known = this.#deps.outcomes.find(key, startedAt);
    if (known) {
      this.#sendAck({ ...known, envelopeId: binding.envelopeId });
      logger.info('delivery_duplicate', { ...fields, statusCode: known.statusCode });
      return 'duplicate';
    }
    if (this.#inFlight.has(key)) {
      logger.info('delivery_in_flight', fields);
      return 'in-flight';
    }
    this.#inFlight.add(key);
    try {
      return await this.#deliver(binding, request, key, startedAt);
    } finally {
      this.#inFlight.delete(key);
    }
  }

  async #deliver(
    binding: EnvelopeBinding,
    request: SealedRequest,
    key: string,
    startedAt: number,
  ): Promise<DeliveryResult> {
    const { logger, clock } = this.#deps;
    const fields = { envelopeId: binding.envelopeId, sourceId: binding.sourceId };
    const { config, allowlist } = this.#deps.routing();
    const route = resolveRoute(config, binding.sourceId);
    if (!route)
      return this.#final(key, binding, startedAt, {
        statusCode: 0,
        attempts: 1,
        reason: 'no route for this source',
      });
    const target = forwardTarget(this.#targetUrl(route), request.query);
    const headers = forwardHeaders(request.headers, route.headers, binding);
    const { forwarding } = config;
    let allowed = false;
    const attemptOnce = async (): Promise<ForwardResult> => {
      if (!allowed) {
        // Checked before any connection is opened; a name that doesn't resolve yet is retried.
        const verdict = await allowlist.check(target.url).catch(() => undefined);
        if (!verdict) return { kind: 'error', retryable: true, reason: 'target host did not resolve' };
        if (!verdict.allowed) return { kind: 'error', retryable: false, reason: verdict.reason };
        allowed = true;
      }
      return this.#deps.limiter.run(() =>
        this.#deps.forwarder.send({
          target,
          method: request.method,
          headers,
          body: request.body,
          timeoutMs: forwarding.timeoutMs,
        }),
      );
    };
    for (let attempt = 1; ; attempt++) {
      const result = await attemptOnce();
      if (result.kind === 'error' && !result.retryable) {
        return this.#final(key, binding, startedAt, {
          statusCode: 0,
          attempts: attempt,
          reason: result.reason,
        });
      }
      if (result.kind === 'response' && classifyStatus(result.statusCode) !== 'retry') {
        return this.#final(key, binding, startedAt, { statusCode: result.statusCode, attempts: attempt });
      }
      const outcome =
        result.kind === 'response' ? { statusCode: result.statusCode } : { reason: result.reason };
      const retryAfter =
        result.kind === 'response' ? retryAfterMs(result.retryAfter, clock.now()) : undefined;
      const waitMs =
        attempt < forwarding.maxAttempts
          ? localRetryDelay(attempt, retryAfter, forwarding, this.#deps.random)
          : undefined;
      if (waitMs === undefined || !(await this.#sleep(waitMs, { ...fields, attempt, ...outcome }))) {
        logger.warn('delivery_deferred', { ...fields, attempts: attempt, ...outcome });
        return 'deferred';
      }
    }
  }

  async #final(
    key: string,
    binding: EnvelopeBinding,
    startedAt: number,
    result: { statusCode: number; attempts: number; reason?: string },
  ): Promise<DeliveryResult> {
    const now = this.#deps.clock.now();
    const outcome: DeliveryOutcome = {
      envelopeId: binding.envelopeId,
      latencyMs: Math.max(0, now - startedAt),
      ...result,
    };
    // Committed before the ack: if the ack is lost, the redelivered envelope is acked from here.
    await this.#deps.outcomes.record(key, outcome, now);
    this.#sendAck(outcome);
    const delivered = classifyStatus(outcome.statusCode) === 'delivered';
    const fields = {
      envelopeId: binding.envelopeId,
      sourceId: binding.sourceId,
      statusCode: outcome.statusCode,
      attempts: outcome.attempts,
      latencyMs: outcome.latencyMs,
    };
    if (delivered) this.#deps.logger.info('delivery_forwarded', fields);
    else
      this.#deps.logger.warn('delivery_failed', {
        ...fields,
        reason: outcome.reason ?? `status ${outcome.statusCode}`,
      });
    return delivered ? 'forwarded' : 'failed';
  }

  #targetUrl(route: Route): URL {
    let url = this.#targetUrls.get(route);
    if (!url) {
      url = new URL(route.target);
      this.#targetUrls.set(route, url);
    }
    return url;
  }

  #sendAck(outcome: DeliveryOutcome): void {
    const ack: AckMessage = {
      envelopeId: outcome.envelopeId,
      statusCode: outcome.statusCode,
      attempts: outcome.attempts,
      latencyMs: outcome.latencyMs,
    };
    if (outcome.reason !== undefined) ack.reason = outcome.reason.slice(0, 200);
    this.#deps.ack(ack);
  }

  /** Resolves true after `ms`, or false at once when the processor stops. */
  #sleep(ms: number, fields: Record<string, unknown>): Promise<boolean> {
    const signal = this.#stop.signal;
    if (signal.aborted) return Promise.resolve(false);
    this.#deps.logger.info('delivery_retrying', { ...fields, delayMs: ms });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function errorCode(error: unknown): string {
  if (error instanceof ClawPulsarError) return error.code;
  return (error as NodeJS.ErrnoException | undefined)?.code ?? errorName(error);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
