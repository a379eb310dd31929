import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { fetchAlertWebhookSender } from '../../lambdas/adapters/http/fetchAlertWebhookSender.ts';
import { fetchHttpClient } from '../../lambdas/adapters/http/fetchHttpClient.ts';
import { FileKeyCustody } from '../../lambdas/adapters/local/FileKeyCustody.ts';
import { openEdgeDatabase } from '../../lambdas/adapters/local/openEdgeDatabase.ts';
import { SqliteAgentRepository } from '../../lambdas/adapters/local/SqliteAgentRepository.ts';
import { SqliteBudgetAlertStore } from '../../lambdas/adapters/local/SqliteBudgetAlertStore.ts';
import { SqliteBudgetRepository } from '../../lambdas/adapters/local/SqliteBudgetRepository.ts';
import { SqliteProviderKeyRepository } from '../../lambdas/adapters/local/SqliteProviderKeyRepository.ts';
import { SqliteSpendHistory } from '../../lambdas/adapters/local/SqliteSpendHistory.ts';
import type { BudgetMonitorDeps } from '../../lambdas/core/monitor/BudgetMonitorDeps.ts';
import type { AlertTopic } from '../../lambdas/core/monitor/ports.ts';
import type { TunnelPublisher } from '../../lambdas/core/ports.ts';
import { type SimulatedProvider, startSimulatedProvider } from '../../lambdas/edge/simulatedProvider.ts';
import { MemoryLogger } from './MemoryLogger.ts';

/** A clock the test moves by hand. */
export class ManualClock {
  nowMs: number;
  constructor(start: number) {
    this.nowMs = start;
  }
  now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** Everything published to the tunnel, as the agents would receive it. */
export class RecordingTunnel implements TunnelPublisher {
  readonly messages: { topic: string; payload: Buffer }[] = [];
  fail = false;
  async publish(topic: string, payload: Uint8Array): Promise<void> {
    if (this.fail) throw new Error('broker down');
    this.messages.push({ topic, payload: Buffer.from(payload) });
  }
  json(topic?: string): Record<string, unknown>[] {
    return this.messages
      .filter((message) => topic === undefined || message.topic === topic)
      .map((message) => JSON.parse(message.payload.toString('utf8')) as Record<string, unknown>);
  }
}

/** What an SNS topic would have fanned out. */
export class RecordingTopic implements AlertTopic {
  readonly published: Parameters<AlertTopic['publish']>[0][] = [];
  async publish(message: Parameters<AlertTopic['publish']>[0]): Promise<void> {
    this.published.push(message);
  }
}

export interface MonitorFixture {
  readonly dir: string;
  readonly databasePath: string;
  readonly db: DatabaseSync;
  readonly clock: ManualClock;
  readonly logger: MemoryLogger;
  readonly tunnel: RecordingTunnel;
  readonly provider: SimulatedProvider;
  readonly providerKey: string;
  readonly agents: SqliteAgentRepository;
  readonly history: SqliteSpendHistory;
  readonly deps: BudgetMonitorDeps;
  close(): Promise<void>;
}

/**
 * The budget monitor on the local edge's real adapters — a SQLite file, the file key custody, fetch —
 * against the simulated provider, with a hand-moved clock shared by both.
 *
 * @example
 * const f = await monitorFixture({ startMs: Date.UTC(2025, 2, 15, 12) });
 */
export async function monitorFixture(
  options: { startMs?: number; providerKey?: string; topic?: AlertTopic } = {},
): Promise<MonitorFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'cp-monitor-'));
  const databasePath = join(dir, 'edge.sqlite');
  const db = openEdgeDatabase(databasePath);
  const clock = new ManualClock(options.startMs ?? Date.UTC(2025, 2, 15, 12));
  const logger = new MemoryLogger();
  const tunnel = new RecordingTunnel();
  const providerKey = options.providerKey ?? 'CANARY-provider-key-0f9e8d7c6b5a4f3e';
  const provider = await startSimulatedProvider({ key: providerKey, now: clock.now, logger });
  const agents = new SqliteAgentRepository(db);
  const history = new SqliteSpendHistory(db);
  const deps: BudgetMonitorDeps = {
    keys: new SqliteProviderKeyRepository(db),
    budgets: new SqliteBudgetRepository(db),
    history,
    alerts: new SqliteBudgetAlertStore(db, clock),
    custody: FileKeyCustody.openOrCreate(join(dir, 'master.key')),
    http: fetchHttpClient(),
    agents,
    clock,
    logger,
    tunnel,
    webhooks: fetchAlertWebhookSender({ allowPrivateTargets: true }),
    requestOptions: { timeoutMs: 5_000, maxRetries: 0 },
    ...(options.topic ? { topic: options.topic } : {}),
  };
  return {
    dir,
    databasePath,
    db,
    clock,
    logger,
    tunnel,
    provider,
    providerKey,
    agents,
    history,
    deps,
    async close() {
      await provider.close();
      // A test may have closed it to reopen the file, as a restarted edge would.
      if (db.isOpen) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
