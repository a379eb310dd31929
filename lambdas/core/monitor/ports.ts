/**
 * The budget monitor's ports besides the key vault: budgets, the daily spend history, the alert ledger
 * and the outgoing alert channels. AWS adapters: DynamoDB tables, SNS, fetch; local: SQLite, fetch.
 */

import type { Budget } from '../budget/Budget.ts';
import type { AlertLedger } from '../budget/claimNewAlerts.ts';
import type { Micros } from '../budget/money.ts';
import type { UsageProviderId } from '../usage/SpendReport.ts';

export type AlertWebhookFormat = 'standard' | 'slack' | 'discord';

/** An outgoing alert webhook as stored: where it goes (and its signing secret) only as ciphertext. */
export interface StoredAlertWebhook {
  readonly id: string;
  readonly format: AlertWebhookFormat;
  /** The target's host, for display (the full URL may itself be a credential, as Slack's are). */
  readonly host: string;
  /** KeyCustody ciphertext of `{ url, secret? }`, context `{ purpose: 'alert-webhook', budgetId, webhookId }`. */
  readonly ciphertext: Uint8Array;
  /** Fingerprint of the signing secret (`standard` format only). */
  readonly secretFingerprint?: string;
}

export interface StoredBudget {
  readonly budget: Budget;
  readonly webhooks: readonly StoredAlertWebhook[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface BudgetRepository {
  get(budgetId: string): Promise<StoredBudget | undefined>;
  /** Creates; false when a budget with this id exists already. */
  create(budget: StoredBudget): Promise<boolean>;
  /** Replaces an existing budget; false when there is none. */
  replace(budget: StoredBudget): Promise<boolean>;
  delete(budgetId: string): Promise<boolean>;
  list(): Promise<StoredBudget[]>;
}

/**
 * A reading of a balance or lifetime-spend counter, for providers that publish no spend per day (DeepSeek,
 * Vercel): spend between two polls is derived from successive readings.
 */
export interface SpendReading {
  readonly valueMicros: Micros;
  readonly atMs: number;
}

/** One day's aggregated spend of one key: never request-level data. */
export interface DailySpendRecord {
  readonly provider: UsageProviderId;
  readonly keyId: string;
  /** UTC date `YYYY-MM-DD`. */
  readonly date: string;
  readonly amountMicros: Micros;
  /** The last reading taken on this date (balance providers only). */
  readonly reading?: SpendReading;
  readonly updatedAt: number;
  /** 90 days after the date; reads ignore expired rows and stores delete them. */
  readonly expiresAt: number;
}

export interface HistoryQuery {
  /** First date, inclusive. */
  readonly from?: string;
  /** Last date, inclusive. */
  readonly to?: string;
  readonly provider?: UsageProviderId;
  readonly keyIds?: readonly string[];
}

export interface HistoryFilter {
  readonly provider?: UsageProviderId;
  readonly keyId?: string;
}

export interface SpendHistory {
  /** Writes whole days (restated figures replace older ones). Idempotent. */
  upsert(records: readonly DailySpendRecord[]): Promise<void>;
  /** The newest row of `keyId` that holds a reading, unexpired. */
  latestReading(keyId: string, nowMs: number): Promise<DailySpendRecord | undefined>;
  /**
   * Writes `record` (a day with a new reading) only if the key's latest reading is still `expected`
   * (null: there was none on `record.date`'s row and none newer). False when another poll got there
   * first, so a reading is never counted twice.
   */
  applyReading(
    record: DailySpendRecord,
    expected: { readonly date: string; readonly atMs: number } | null,
  ): Promise<boolean>;
  /** Unexpired rows matching `query`, ordered by date, provider, key. */
  list(query: HistoryQuery, nowMs: number): Promise<DailySpendRecord[]>;
  /** Deletes matching rows (every row when the filter is empty); returns how many. */
  delete(filter: HistoryFilter): Promise<number>;
}

/** What was sent for one alert, on which channels: the alert history of a budget. */
export interface AlertRecord {
  readonly key: string;
  readonly alertId: string;
  readonly budgetId: string;
  readonly kind: 'threshold' | 'burn_rate';
  readonly thresholdId?: string;
  readonly periodKey: string;
  readonly sentAt: number;
  readonly spentMicros: Micros;
  readonly limitMicros: Micros;
  readonly percent: number;
  readonly forecastP50Micros: Micros;
  readonly forecastP90Micros: Micros;
  readonly subject: string;
  readonly channels: readonly ChannelOutcome[];
  readonly expiresAt: number;
}

export interface ChannelOutcome {
  /** `agent:<id>`, `webhook:<id>` or `sns`. */
  readonly channel: string;
  readonly ok: boolean;
  /** Why it failed, in a few words (a status code or error code; never a URL or a secret). */
  readonly error?: string;
}

/** The alert ledger (claim once) with the record of what was sent. */
export interface BudgetAlertStore extends AlertLedger {
  /** Forgets a claim whose alert reached no channel at all, so the next poll tries again. */
  release(key: string): Promise<void>;
  record(entry: AlertRecord): Promise<void>;
  /** A budget's alerts, newest first, unexpired. */
  list(budgetId: string, limit: number, nowMs: number): Promise<AlertRecord[]>;
}

/** One outgoing HTTP POST of an alert. */
export interface OutgoingAlertRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Aborts a receiver that takes too long. */
  readonly signal?: AbortSignal;
}

/** Sends one alert webhook; resolves with the status, rejects on network failure or a refused target. */
export type AlertWebhookSender = (request: OutgoingAlertRequest) => Promise<{ readonly status: number }>;

/** A fan-out topic for email and SMS subscribers (AWS SNS). */
export interface AlertTopic {
  publish(message: {
    readonly subject: string;
    readonly text: string;
    readonly attributes: Readonly<Record<string, string>>;
  }): Promise<void>;
}
