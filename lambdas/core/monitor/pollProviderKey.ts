/**
 * One poll of one provider key: read what the provider reports and store it as daily aggregates.
 *
 * - Providers with a cost API (OpenAI, Anthropic, OpenRouter): the window of `pollWindow` is read and
 *   every reported day is written whole, so restated figures replace older ones and a repeated poll of the
 *   same window writes the same rows (idempotent). Days the provider cannot report yet are left alone.
 * - Balance providers (DeepSeek's balance, Vercel's lifetime spend): the reading is compared with the
 *   key's previous one and the difference is added to today's row, conditionally on that previous
 *   reading still being the latest, so a reading is counted once however many pollers race.
 *
 * The key is decrypted into memory for this poll only. Failures are recorded on the key (code and
 * message, never the key or a body) and never thrown: one bad key must not stop the others.
 */
import { ClawPulsarError } from '../errors.ts';
import type { KeyPollState, StoredProviderKey } from '../keys/ProviderKeyRepository.ts';
import { decryptProviderKey } from '../keys/providerKeySecret.ts';
import { createUsageClient } from '../usage/createUsageClient.ts';
import type { ProviderRequestOptions } from '../usage/fetchProviderJson.ts';
import type { BalanceClient, SpendClient } from '../usage/SpendReport.ts';
import { utcDateOf, utcDayRange } from '../usage/utcDayRange.ts';
import type { BudgetMonitorDeps } from './BudgetMonitorDeps.ts';
import { historyExpiry, pollWindow } from './historyWindow.ts';
import type { DailySpendRecord } from './ports.ts';

export type PollDeps = Pick<
  BudgetMonitorDeps,
  'keys' | 'history' | 'custody' | 'http' | 'clock' | 'logger' | 'requestOptions'
>;

export interface KeyPollResult {
  readonly keyId: string;
  readonly ok: boolean;
  /** Days written (cost APIs) or 1 for a balance reading. */
  readonly days: number;
  readonly error?: string;
}

/**
 * Polls `key` as of `nowMs`; `neededFromMs` is the earliest instant any budget covering it needs.
 *
 * @example
 * await pollProviderKey(deps, key, historyStartFor(budget, now), now);
 */
export async function pollProviderKey(
  deps: PollDeps,
  key: StoredProviderKey,
  neededFromMs: number,
  nowMs: number,
): Promise<KeyPollResult> {
  let coveredFrom = key.poll?.coveredFrom;
  try {
    const secret = await decryptProviderKey(deps.custody, key.keyId, key.ciphertext);
    const clients = createUsageClient({
      provider: key.provider,
      key: secret,
      http: deps.http,
      ...(key.baseUrl !== undefined ? { baseUrl: key.baseUrl } : {}),
    });
    let days: number;
    if (clients.spend) {
      const window = pollWindow({
        nowMs,
        neededFromMs,
        ...(key.poll?.lastPolledAt !== undefined ? { lastPolledAt: key.poll.lastPolledAt } : {}),
        ...(coveredFrom !== undefined ? { coveredFrom } : {}),
      });
      days = await readSpend(deps, key, clients.spend, window, nowMs);
      coveredFrom = coveredFrom === undefined || window.start < coveredFrom ? window.start : coveredFrom;
    } else if (clients.balance) {
      await readBalance(deps, key, clients.balance, nowMs);
      days = 1;
      coveredFrom ??= utcDateOf(nowMs);
    } else {
      throw new ClawPulsarError('no_usage_api', `No usage API for ${key.provider}`, 500);
    }
    await record(deps, key, { lastPolledAt: nowMs, ok: true, ...(coveredFrom ? { coveredFrom } : {}) });
    return { keyId: key.keyId, ok: true, days };
  } catch (error) {
    const code = error instanceof ClawPulsarError ? error.code : 'poll_failed';
    // Our errors never quote a key or a body; anything else is described by its name only.
    const message =
      error instanceof ClawPulsarError ? error.message : `unexpected ${(error as Error)?.name ?? 'error'}`;
    deps.logger.warn('provider_key_poll_failed', { providerKeyId: key.keyId, provider: key.provider, code });
    await record(deps, key, {
      lastPolledAt: nowMs,
      ok: false,
      error: { code, message: message.slice(0, 500) },
      ...(coveredFrom ? { coveredFrom } : {}),
    });
    return { keyId: key.keyId, ok: false, days: 0, error: code };
  }
}

async function readSpend(
  deps: PollDeps,
  key: StoredProviderKey,
  client: SpendClient,
  window: { start: string; end: string },
  nowMs: number,
): Promise<number> {
  const report = await client.readDailySpend(utcDayRange(window.start, window.end), requestOptions(deps));
  const unavailable = new Set(report.unavailableDates ?? []);
  const records: DailySpendRecord[] = report.days
    .filter((day) => !unavailable.has(day.date))
    .map((day) => ({
      provider: key.provider,
      keyId: key.keyId,
      date: day.date,
      amountMicros: day.amountMicros,
      updatedAt: nowMs,
      expiresAt: historyExpiry(day.date),
    }));
  await deps.history.upsert(records);
  return records.length;
}

async function readBalance(
  deps: PollDeps,
  key: StoredProviderKey,
  client: BalanceClient,
  nowMs: number,
): Promise<void> {
  const snapshot = await client.readBalance(requestOptions(deps));
  // A lifetime-spend counter only grows with spend; a balance falls with spend and rises with top-ups.
  const cumulative = snapshot.totalUsedMicros !== undefined;
  const value = cumulative
    ? (snapshot.totalUsedMicros as number)
    : snapshot.balances.find((balance) => balance.currency === 'usd')?.amountMicros;
  if (value === undefined) {
    throw new ClawPulsarError(
      'no_usd_balance',
      'The provider reports no USD balance; spend in other currencies is not tracked',
      400,
    );
  }
  const today = utcDateOf(nowMs);
  const latest = await deps.history.latestReading(key.keyId, nowMs);
  const previous = latest?.reading;
  if (previous && previous.atMs >= nowMs) return;
  const spent = !previous
    ? 0
    : cumulative
      ? value - previous.valueMicros
      : Math.max(0, previous.valueMicros - value);
  // Spend since the previous reading counts on today's date: off by at most one polling interval.
  const carried = latest && latest.date === today ? latest.amountMicros : 0;
  const applied = await deps.history.applyReading(
    {
      provider: key.provider,
      keyId: key.keyId,
      date: today,
      amountMicros: carried + spent,
      reading: { valueMicros: value, atMs: nowMs },
      updatedAt: nowMs,
      expiresAt: historyExpiry(today),
    },
    latest && previous ? { date: latest.date, atMs: previous.atMs } : null,
  );
  if (!applied) deps.logger.info('provider_key_reading_superseded', { providerKeyId: key.keyId });
}

/** The monitor's clock is the clients' too ("today" for OpenRouter, Retry-After dates). */
function requestOptions(deps: PollDeps): ProviderRequestOptions {
  return { now: () => deps.clock.now(), ...deps.requestOptions };
}

async function record(deps: PollDeps, key: StoredProviderKey, state: KeyPollState): Promise<void> {
  if (!(await deps.keys.recordPoll(key.keyId, state))) {
    deps.logger.info('provider_key_gone_during_poll', { providerKeyId: key.keyId });
  }
}
