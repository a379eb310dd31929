/**
 * The agent's side of budget alerts: each alert from the edge (`clawpulsar/{agentId}/alerts`) is checked
 * against its schema, acted on once — a redelivery of the same alert id is recognised from the outcome
 * store — and its action run: by default a POST to OpenClaw's `/hooks/wake` so the agent hears of it, or
 * a command; and, past the configured share of the limit or on a burn-rate alarm, the pause command.
 */

import { classifyStatus } from '../../lambdas/core/delivery/classifyStatus.ts';
import {
  type BudgetAlertMessage,
  budgetAlertMessageSchema,
  parseMessage,
} from '../../lambdas/core/delivery/messages.ts';
import type { Clock, Logger } from '../../lambdas/core/ports.ts';
import type { AlertsConfig } from '../config/agentConfig.ts';
import { localRetryDelay, retryAfterMs } from '../delivery/localRetryDelay.ts';
import { OutcomeStore } from '../delivery/OutcomeStore.ts';
import type { ForwardResult, LocalForwarder } from '../forward/LocalForwarder.ts';
import { forwardTarget } from '../routing/resolveRoute.ts';
import type { TargetAllowlist } from '../routing/TargetAllowlist.ts';
import { runAlertCommand } from './runAlertCommand.ts';

/** Wake attempts before giving up on OpenClaw (it answers 503 while its gateway restarts). */
const WAKE_ATTEMPTS = 6;
const RETRY = { retryBaseMs: 500, retryMaxMs: 30_000 };

export interface BudgetAlertHandlerDeps {
  readonly alerts: () => AlertsConfig;
  readonly allowlist: () => TargetAllowlist;
  readonly forwarder: Pick<LocalForwarder, 'send'>;
  readonly outcomes: OutcomeStore;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What the action came to: the target's status code, 0 when it never answered or the command failed. */
interface ActionResult {
  readonly statusCode: number;
  readonly attempts: number;
  readonly reason?: string;
}

/**
 * Handles alerts one at a time, in arrival order.
 *
 * @example
 * const alerts = new BudgetAlertHandler({ alerts: () => config.alerts, allowlist, forwarder, outcomes, logger, clock });
 * alerts.accept(payload);
 */
export class BudgetAlertHandler {
  readonly #deps: BudgetAlertHandlerDeps;
  #queue: Promise<void> = Promise.resolve();

  constructor(deps: BudgetAlertHandlerDeps) {
    this.#deps = deps;
  }

  /** Takes one MQTT payload; never throws. */
  accept(payload: Buffer): void {
    this.#queue = this.#queue.then(() => this.#handle(payload)).catch(() => {});
  }

  /** Resolves once every accepted alert has been handled. */
  idle(): Promise<void> {
    return this.#queue;
  }

  async #handle(payload: Buffer): Promise<void> {
    const { logger, clock, outcomes } = this.#deps;
    let alert: BudgetAlertMessage;
    try {
      alert = parseMessage(budgetAlertMessageSchema, payload, 'budget alert');
    } catch (error) {
      logger.warn('budget_alert_invalid', { bytes: payload.byteLength, error: (error as Error).message });
      return;
    }
    const fields = {
      alertId: alert.alertId,
      budgetId: alert.budgetId,
      kind: alert.kind,
      percent: alert.percent,
      ...(alert.simulated ? { simulated: true } : {}),
    };
    const storeKey = OutcomeStore.key('budget-alerts', alert.alertId);
    if (outcomes.find(storeKey, clock.now())) {
      logger.info('budget_alert_duplicate', fields);
      return;
    }
    const config = this.#deps.alerts();
    logger.warn('budget_alert', { ...fields, subject: alert.subject, action: config.action });
    const startedAt = clock.now();
    const result = await this.#act(config, alert, payload);
    await this.#pauseIfDue(config, alert, payload);
    await outcomes.record(
      storeKey,
      {
        envelopeId: alert.alertId,
        statusCode: result.statusCode,
        attempts: result.attempts,
        latencyMs: Math.max(0, clock.now() - startedAt),
        ...(result.reason ? { reason: result.reason } : {}),
      },
      clock.now(),
    );
    if (result.reason) logger.warn('budget_alert_action_failed', { ...fields, ...result });
    else
      logger.info('budget_alert_action_done', {
        ...fields,
        action: config.action,
        statusCode: result.statusCode,
      });
  }

  async #act(config: AlertsConfig, alert: BudgetAlertMessage, payload: Buffer): Promise<ActionResult> {
    switch (config.action) {
      case 'none':
        return { statusCode: 0, attempts: 0 };
      case 'command': {
        const ran = await runAlertCommand(
          config.command ?? [],
          payload.toString('utf8'),
          alertEnv(alert),
          config.timeoutMs,
        );
        return { statusCode: 0, attempts: 1, ...(ran.reason ? { reason: `command ${ran.reason}` } : {}) };
      }
      case 'wake':
        return this.#wake(config, alert);
    }
  }

  /** OpenClaw's `POST /hooks/wake` `{ text, mode: 'now' }`, retried while OpenClaw restarts. */
  async #wake(config: AlertsConfig, alert: BudgetAlertMessage): Promise<ActionResult> {
    const target = forwardTarget(config.url, '');
    const verdict = await this.#deps
      .allowlist()
      .check(target.url)
      .catch(() => undefined);
    if (!verdict?.allowed) {
      return { statusCode: 0, attempts: 0, reason: verdict ? verdict.reason : 'wake host did not resolve' };
    }
    const body = Buffer.from(
      JSON.stringify({ text: `${alert.subject}\n${alert.text}`, mode: 'now' }),
      'utf8',
    );
    const headers = {
      ...(config.headers ?? {}),
      'Content-Type': 'application/json',
      'Idempotency-Key': alert.alertId,
    };
    const sleep = this.#deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let last: ForwardResult | undefined;
    for (let attempt = 1; attempt <= WAKE_ATTEMPTS; attempt++) {
      last = await this.#deps.forwarder.send({
        target,
        method: 'POST',
        headers,
        body,
        timeoutMs: config.timeoutMs,
      });
      if (last.kind === 'error' && !last.retryable)
        return { statusCode: 0, attempts: attempt, reason: last.reason };
      if (last.kind === 'response') {
        const verdict = classifyStatus(last.statusCode);
        if (verdict === 'delivered') return { statusCode: last.statusCode, attempts: attempt };
        if (verdict !== 'retry')
          return {
            statusCode: last.statusCode,
            attempts: attempt,
            reason: `wake answered ${last.statusCode}`,
          };
      }
      const retryAfter =
        last.kind === 'response' ? retryAfterMs(last.retryAfter, this.#deps.clock.now()) : undefined;
      const wait = attempt < WAKE_ATTEMPTS ? localRetryDelay(attempt, retryAfter, RETRY) : undefined;
      if (wait === undefined) break;
      await sleep(wait);
    }
    return last?.kind === 'response'
      ? { statusCode: last.statusCode, attempts: WAKE_ATTEMPTS, reason: `wake answered ${last.statusCode}` }
      : { statusCode: 0, attempts: WAKE_ATTEMPTS, reason: last?.kind === 'error' ? last.reason : 'not sent' };
  }

  async #pauseIfDue(config: AlertsConfig, alert: BudgetAlertMessage, payload: Buffer): Promise<void> {
    const pause = config.pause;
    if (!pause) return;
    const due = alert.kind === 'burn_rate' ? pause.onBurnRate : alert.percent >= pause.atPercent;
    if (!due) return;
    const ran = await runAlertCommand(
      pause.command,
      payload.toString('utf8'),
      alertEnv(alert),
      config.timeoutMs,
    );
    const fields = { alertId: alert.alertId, budgetId: alert.budgetId, percent: alert.percent };
    if (ran.reason) this.#deps.logger.error('agent_pause_failed', { ...fields, reason: ran.reason });
    else this.#deps.logger.warn('agent_paused', fields);
  }
}

/** The alert's main figures for commands that would rather not parse JSON. */
function alertEnv(alert: BudgetAlertMessage): Record<string, string> {
  return {
    CLAWPULSAR_ALERT_ID: alert.alertId,
    CLAWPULSAR_ALERT_BUDGET: alert.budgetId,
    CLAWPULSAR_ALERT_KIND: alert.kind,
    CLAWPULSAR_ALERT_PERCENT: String(alert.percent),
    CLAWPULSAR_ALERT_AMOUNT_MICROS: String(alert.amountMicros),
    CLAWPULSAR_ALERT_LIMIT_MICROS: String(alert.limitMicros),
    CLAWPULSAR_ALERT_SIMULATED: alert.simulated ? '1' : '0',
  };
}
