/**
 * Sends one claimed budget alert on every channel its budget asks for: the agents' tunnel topics, the
 * budget's outgoing webhooks (Standard Webhooks–signed JSON, or Slack/Discord text), and the deployment's
 * SNS topic. Each channel's outcome is reported; one failing channel never stops the others.
 */

import { ALL_AGENTS } from '../budget/Budget.ts';
import type { AlertMessage } from '../budget/buildAlertMessage.ts';
import type { BudgetAlertMessage } from '../delivery/messages.ts';
import { topicsFor } from '../delivery/topics.ts';
import { ClawPulsarError } from '../errors.ts';
import type { BudgetMonitorDeps } from '../monitor/BudgetMonitorDeps.ts';
import type { ChannelOutcome, StoredAlertWebhook, StoredBudget } from '../monitor/ports.ts';
import { openAlertWebhook } from './alertWebhookTarget.ts';
import { signStandardWebhook } from './signStandardWebhook.ts';

export type AlertDeliveryDeps = Pick<
  BudgetMonitorDeps,
  'agents' | 'tunnel' | 'webhooks' | 'topic' | 'custody' | 'clock' | 'logger'
>;

/** Webhook receivers get this long to answer before the attempt counts as failed. */
const WEBHOOK_TIMEOUT_MS = 10_000;
/** Discord refuses content over 2,000 characters; Slack truncates long text itself. */
const DISCORD_MAX = 2000;

/** Marks the wording of an alert from simulated spend, so nobody mistakes it for a real bill. */
export function markSimulated(message: AlertMessage): AlertMessage {
  return {
    ...message,
    subject: `[SIMULATED] ${message.subject}`,
    text: `SIMULATED: this spend comes from the ClawPulsar simulated provider, not from real provider data.\n${message.text}`,
  };
}

/**
 * Delivers `payload` (with its wording `message`) for `stored`'s budget; resolves with one outcome per
 * channel tried.
 *
 * @example
 * const outcomes = await deliverBudgetAlert(deps, stored, payload, message);
 */
export async function deliverBudgetAlert(
  deps: AlertDeliveryDeps,
  stored: StoredBudget,
  payload: BudgetAlertMessage,
  message: AlertMessage,
): Promise<ChannelOutcome[]> {
  const { budget } = stored;
  const outcomes: ChannelOutcome[] = [];
  const json = JSON.stringify(payload);

  for (const agentId of await agentsToNotify(deps, budget.notifyAgents ?? [])) {
    outcomes.push(
      await attempt(`agent:${agentId}`, async () => {
        if (!deps.tunnel) throw new ClawPulsarError('no_tunnel', 'no tunnel in this runtime');
        const agent = await deps.agents.get(agentId);
        if (!agent) throw new ClawPulsarError('unknown_agent', 'unknown agent');
        if (agent.status !== 'active') throw new ClawPulsarError('agent_revoked', 'agent revoked');
        await deps.tunnel.publish(topicsFor(agentId).alerts, Buffer.from(json, 'utf8'));
      }),
    );
  }

  for (const webhook of stored.webhooks) {
    outcomes.push(
      await attempt(`webhook:${webhook.id}`, () => sendWebhook(deps, stored, webhook, payload, message)),
    );
  }

  if (deps.topic && budget.notifySns !== false) {
    const topic = deps.topic;
    outcomes.push(
      await attempt('sns', () =>
        topic.publish({
          subject: message.subject,
          text: message.text,
          attributes: {
            budgetId: budget.id,
            provider: budget.scope.provider,
            kind: payload.kind,
            alertId: payload.alertId,
          },
        }),
      ),
    );
  }

  for (const outcome of outcomes) {
    const fields = { budgetId: budget.id, alertId: payload.alertId, channel: outcome.channel };
    if (outcome.ok) deps.logger.info('budget_alert_sent', fields);
    else deps.logger.warn('budget_alert_not_sent', { ...fields, error: outcome.error });
  }
  return outcomes;
}

async function agentsToNotify(deps: AlertDeliveryDeps, ids: readonly string[]): Promise<string[]> {
  if (!ids.includes(ALL_AGENTS)) return [...new Set(ids)];
  const active = (await deps.agents.list()).filter((agent) => agent.status === 'active');
  return [...new Set([...ids.filter((id) => id !== ALL_AGENTS), ...active.map((agent) => agent.agentId)])];
}

async function sendWebhook(
  deps: AlertDeliveryDeps,
  stored: StoredBudget,
  webhook: StoredAlertWebhook,
  payload: BudgetAlertMessage,
  message: AlertMessage,
): Promise<void> {
  if (!deps.webhooks) throw new ClawPulsarError('no_webhook_sender', 'webhooks unavailable');
  const target = await openAlertWebhook(deps.custody, stored.budget.id, webhook);
  const line = `${message.subject}\n${message.text}`;
  let body: string;
  let headers: Record<string, string> = { 'content-type': 'application/json' };
  switch (webhook.format) {
    case 'slack':
      body = JSON.stringify({ text: line });
      break;
    case 'discord':
      body = JSON.stringify({
        content: line.length > DISCORD_MAX ? `${line.slice(0, DISCORD_MAX - 1)}…` : line,
      });
      break;
    case 'standard': {
      if (!target.secret) throw new ClawPulsarError('webhook_secret_missing', 'no signing secret');
      const at = deps.clock.now();
      body = JSON.stringify({ type: 'budget.alert', timestamp: new Date(at).toISOString(), data: payload });
      // The alert id is the message id, so a receiver dedupes our retries of the same alert.
      headers = { ...headers, ...signStandardWebhook(target.secret, payload.alertId, at / 1000, body) };
      break;
    }
  }
  const { status } = await deps.webhooks({
    url: target.url,
    headers,
    body,
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  if (status < 200 || status >= 300) throw new ClawPulsarError(`http_${status}`, `HTTP ${status}`);
}

async function attempt(channel: string, send: () => Promise<void>): Promise<ChannelOutcome> {
  try {
    await send();
    return { channel, ok: true };
  } catch (error) {
    // Codes only: an error message could quote a URL, and a webhook URL may be a credential.
    const code =
      error instanceof ClawPulsarError ? error.code : error instanceof Error ? error.name : 'error';
    return { channel, ok: false, error: code };
  }
}
