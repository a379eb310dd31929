import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BudgetAlertHandler } from '../../../agent/alerts/BudgetAlertHandler.ts';
import { type AlertsConfig, alertsSchema } from '../../../agent/config/agentConfig.ts';
import { OutcomeStore } from '../../../agent/delivery/OutcomeStore.ts';
import { LocalForwarder } from '../../../agent/forward/LocalForwarder.ts';
import { TargetAllowlist } from '../../../agent/routing/TargetAllowlist.ts';
import type { BudgetAlertMessage } from '../../../lambdas/core/delivery/messages.ts';
import { MemoryLogger } from '../../support/MemoryLogger.ts';
import { RecordingTarget } from '../../support/RecordingTarget.ts';

const ALERT: BudgetAlertMessage = {
  type: 'budget-alert',
  alertId: 'alrt_abcdefghijklmnopqrstuvwx',
  budgetId: 'openai-prod',
  budgetName: 'OpenAI prod',
  provider: 'openai',
  kind: 'threshold',
  thresholdId: 'p80',
  basis: 'actual',
  amountMicros: 81_200_000,
  limitMicros: 100_000_000,
  percent: 81.2,
  forecast: { p50Micros: 120_000_000, p90Micros: 140_000_000, dailyRateMicros: 5_000_000 },
  period: { kind: 'month', key: 'month:2025-03-01', startMs: 1, endMs: 2, timeZone: 'UTC' },
  subject: 'Budget "OpenAI prod" at 81.2% of its monthly limit',
  text: 'Spent $81.20 of $100.00 (81.2%).',
  next: 'Pause the agent if it is looping.',
  at: Date.UTC(2025, 2, 15),
};

let dir: string;
let target: RecordingTarget;
let outcomes: OutcomeStore;
let forwarder: LocalForwarder;
let logger: MemoryLogger;
let config: AlertsConfig;

function handler(allowlist = ['127.0.0.0/8']) {
  const list = new TargetAllowlist(allowlist);
  return new BudgetAlertHandler({
    alerts: () => config,
    allowlist: () => list,
    forwarder,
    outcomes,
    logger,
    clock: { now: Date.now },
    sleep: () => Promise.resolve(),
  });
}

const payload = (alert: Partial<BudgetAlertMessage> = {}) =>
  Buffer.from(JSON.stringify({ ...ALERT, ...alert }));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cp-alerts-'));
  target = await RecordingTarget.start();
  outcomes = new OutcomeStore(join(dir, 'outcomes.sqlite'));
  const list = new TargetAllowlist(['127.0.0.0/8']);
  forwarder = new LocalForwarder({ lookup: list.lookup, maxSockets: 4 });
  logger = new MemoryLogger();
  config = alertsSchema.parse({
    url: target.url('/hooks/wake'),
    headers: { Authorization: 'Bearer hooks-token' },
  });
});
afterEach(async () => {
  forwarder.close();
  outcomes.close();
  await target.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('BudgetAlertHandler', () => {
  it('wakes OpenClaw with the alert text and its bearer token, once per alert id however often it arrives', async () => {
    const alerts = handler();

    alerts.accept(payload());
    alerts.accept(payload());
    await alerts.idle();
    alerts.accept(payload());
    await alerts.idle();

    expect(target.requests).toHaveLength(1);
    const [wake] = target.requests;
    expect(wake).toMatchObject({ method: 'POST', url: '/hooks/wake' });
    expect(wake!.headers.authorization).toBe('Bearer hooks-token');
    expect(wake!.headers['idempotency-key']).toBe(ALERT.alertId);
    expect(JSON.parse(wake!.body.toString())).toEqual({
      text: `${ALERT.subject}\n${ALERT.text}`,
      mode: 'now',
    });
    expect(logger.events()).toContain('budget_alert_duplicate');
    expect(JSON.stringify(logger.lines)).not.toContain('hooks-token');
  });

  it('keeps trying while OpenClaw restarts (503) and stops at the first 2xx', async () => {
    target.answer((_request, index) => ({ status: index < 2 ? 503 : 200 }));
    const alerts = handler();

    alerts.accept(payload());
    await alerts.idle();

    expect(target.requests).toHaveLength(3);
    expect(logger.events()).toContain('budget_alert_action_done');
  });

  it('does not retry a final refusal and records it', async () => {
    target.answer(() => ({ status: 401 }));
    const alerts = handler();

    alerts.accept(payload());
    await alerts.idle();

    expect(target.requests).toHaveLength(1);
    expect(logger.lines.find((line) => line.event === 'budget_alert_action_failed')?.fields).toMatchObject({
      statusCode: 401,
      reason: 'wake answered 401',
    });
  });

  it('refuses a wake URL outside the allowlist without sending anything', async () => {
    const alerts = handler(['10.0.0.0/8']);

    alerts.accept(payload());
    await alerts.idle();

    expect(target.requests).toHaveLength(0);
    expect(logger.lines.find((line) => line.event === 'budget_alert_action_failed')?.fields?.reason).toMatch(
      /not in the allowlist/,
    );
  });

  it('runs a command with the alert as JSON on stdin, and the pause command from its share of the limit', async () => {
    const out = join(dir, 'alert.json');
    const paused = join(dir, 'paused');
    const script = (file: string) => [
      process.execPath,
      '-e',
      `require('fs').writeFileSync(${JSON.stringify(file)}, require('fs').readFileSync(0, 'utf8') + '|' + process.env.CLAWPULSAR_ALERT_PERCENT)`,
    ];
    config = alertsSchema.parse({
      action: 'command',
      command: script(out),
      pause: { command: script(paused), atPercent: 80 },
    });
    const alerts = handler();

    alerts.accept(payload());
    await alerts.idle();

    const [json, percent] = readFileSync(out, 'utf8').split('|');
    expect(JSON.parse(json!)).toEqual(ALERT);
    expect(percent).toBe('81.2');
    expect(readFileSync(paused, 'utf8')).toContain(ALERT.alertId);
    expect(logger.events()).toContain('agent_paused');
    expect(target.requests).toHaveLength(0);
  });

  it('runs no pause below its share of the limit', async () => {
    const paused = join(dir, 'paused');
    config = alertsSchema.parse({
      action: 'none',
      pause: {
        command: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(paused)}, 'x')`],
      },
    });
    const alerts = handler();

    alerts.accept(payload({ percent: 99.9 }));
    await alerts.idle();

    expect(() => readFileSync(paused)).toThrow();
    expect(logger.events()).not.toContain('agent_paused');
  });

  it.each([
    ['not JSON', Buffer.from('{nope')],
    ['an unknown field', Buffer.from(JSON.stringify({ ...ALERT, extra: 1 }))],
    ['a malformed alert id', Buffer.from(JSON.stringify({ ...ALERT, alertId: 'x' }))],
    ['over 16 KiB', Buffer.alloc(17 * 1024, 32)],
  ])('ignores a message that is %s', async (_case, bytes) => {
    const alerts = handler();

    alerts.accept(bytes);
    await alerts.idle();

    expect(logger.events()).toEqual(['budget_alert_invalid']);
    expect(target.requests).toHaveLength(0);
  });
});

describe('alertsSchema', () => {
  it('defaults to waking OpenClaw on its default port', () => {
    expect(alertsSchema.parse({})).toEqual({
      action: 'wake',
      url: 'http://127.0.0.1:18789/hooks/wake',
      timeoutMs: 30_000,
    });
  });

  it.each([
    ['a command action without a command', { action: 'command' }],
    ['an empty argv', { action: 'command', command: [] }],
    ['a header with a line break', { headers: { Authorization: 'Bearer a\r\nX: y' } }],
    ['a URL with credentials', { url: 'http://user:pw@127.0.0.1/hooks/wake' }],
    ['an unknown action', { action: 'email' }],
  ])('refuses %s', (_case, input) => {
    expect(alertsSchema.safeParse(input).success).toBe(false);
  });
});
