import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * The local edge keeps all state in one SQLite file. Only ciphertext and metadata go in: envelopes are
 * HPKE-sealed, secrets and provider keys are KeyCustody-encrypted, registration tokens are stored as
 * hashes, spend is kept as daily aggregates (never request-level data).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS agents (
  agent_id TEXT PRIMARY KEY, status TEXT NOT NULL, sealing_public_key BLOB, hostname TEXT,
  created_at INTEGER NOT NULL, registered_at INTEGER, revoked_at INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS certificates (
  serial_number TEXT PRIMARY KEY, agent_id TEXT NOT NULL, not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL, status TEXT NOT NULL, issued_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS certificates_agent ON certificates (agent_id);
CREATE TABLE IF NOT EXISTS registration_tokens (
  token_hash TEXT PRIMARY KEY, record TEXT NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER
) STRICT;
CREATE TABLE IF NOT EXISTS sources (
  agent_id TEXT NOT NULL, source_id TEXT NOT NULL, provider TEXT NOT NULL, secrets_ciphertext BLOB NOT NULL,
  secret_fingerprints TEXT NOT NULL, has_verify_token INTEGER NOT NULL, options TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (agent_id, source_id)
) STRICT;
CREATE TABLE IF NOT EXISTS dedupe (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) STRICT;
CREATE INDEX IF NOT EXISTS dedupe_expiry ON dedupe (expires_at);
CREATE TABLE IF NOT EXISTS envelopes (
  envelope_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, source_id TEXT NOT NULL, delivery_id TEXT NOT NULL,
  provider TEXT NOT NULL, received_at INTEGER NOT NULL, size_bytes INTEGER NOT NULL, sealed BLOB NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS envelopes_due ON envelopes (agent_id, next_attempt_at);
CREATE INDEX IF NOT EXISTS envelopes_next ON envelopes (next_attempt_at);
CREATE TABLE IF NOT EXISTS delivery_log (
  envelope_id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, source_id TEXT NOT NULL, provider TEXT NOT NULL,
  delivery_id TEXT NOT NULL, received_at INTEGER NOT NULL, size_bytes INTEGER NOT NULL, status TEXT NOT NULL,
  attempts INTEGER NOT NULL, status_code INTEGER, latency_ms INTEGER, updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS delivery_log_received ON delivery_log (received_at);
CREATE TABLE IF NOT EXISTS presence (
  agent_id TEXT PRIMARY KEY, connected INTEGER NOT NULL, session_id TEXT NOT NULL, event_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS provider_keys (
  key_id TEXT PRIMARY KEY, provider TEXT NOT NULL, label TEXT NOT NULL, base_url TEXT, ciphertext BLOB NOT NULL,
  fingerprint TEXT NOT NULL, last4 TEXT NOT NULL, simulated INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, poll TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS budgets (
  budget_id TEXT PRIMARY KEY, definition TEXT NOT NULL, webhooks TEXT NOT NULL, created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS spend_daily (
  key_id TEXT NOT NULL, date TEXT NOT NULL, provider TEXT NOT NULL, amount_micros INTEGER NOT NULL,
  reading_micros INTEGER, reading_at INTEGER, updated_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  PRIMARY KEY (key_id, date)
) STRICT;
CREATE INDEX IF NOT EXISTS spend_daily_date ON spend_daily (date);
CREATE INDEX IF NOT EXISTS spend_daily_expiry ON spend_daily (expires_at);
CREATE TABLE IF NOT EXISTS budget_alerts (
  alert_key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, budget_id TEXT, sent_at INTEGER, record TEXT
) STRICT;
CREATE INDEX IF NOT EXISTS budget_alerts_budget ON budget_alerts (budget_id, sent_at);
CREATE INDEX IF NOT EXISTS budget_alerts_expiry ON budget_alerts (expires_at);
`;

/** Page size of a new edge database, in bytes. */
export const PAGE_SIZE = 4_096;

/**
 * Opens (creating if needed) the edge database: WAL journal so readers don't block the writer, and
 * `synchronous=NORMAL`, which survives a crash of the process (the edge's failure mode in tests and at
 * home) but may lose the last transactions on power loss — `durability: 'full'` trades throughput for that.
 *
 * A new database gets 4 KiB pages. Every commit writes each page it touched to the WAL whole, and a
 * webhook touches a handful (a random leaf of the dedupe keys, the last leaf of each envelope and log
 * index, the pages of a deleted envelope): at a steady 200 webhooks/s, with a commit or more per webhook
 * on its own, 16 KiB pages grew the WAL by 64 MiB a second, so the main connection's backstop checkpoint
 * stalled the event loop for 13–33 ms every 1.1 s (p99 16–45 ms). 4 KiB pages write a quarter of that, at
 * no cost measured for large bodies (100 KB: 605 µs per webhook against 761–817 with 16 KiB pages).
 * (An existing database keeps the page size it was made with.) The
 * database is not held in exclusive locking mode, so that the edge's WalCheckpointer can checkpoint it
 * from a worker thread over a connection of its own.
 *
 * `secure_delete=ON`: SQLite overwrites deleted content with zeros, so a deleted provider key's
 * ciphertext does not linger in free pages. The only other copy SQLite itself keeps is the WAL, which the
 * key vault truncates after a delete or rotation (see SqliteProviderKeyRepository); the edge makes no
 * backups of its own.
 *
 * @example
 * const db = openEdgeDatabase('/home/me/.clawpulsar/edge/edge.sqlite');
 */
export function openEdgeDatabase(
  path: string,
  options: { durability?: 'normal' | 'full' } = {},
): DatabaseSync {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new DatabaseSync(path);
  if (path !== ':memory:') chmodSync(path, 0o600);
  // Only takes effect on a database not yet written, and must come before the switch to WAL.
  db.exec(`PRAGMA page_size = ${PAGE_SIZE}`);
  db.exec('PRAGMA journal_mode = WAL');
  db.exec(`PRAGMA synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.exec('PRAGMA busy_timeout = 5000');
  db.exec('PRAGMA foreign_keys = ON');
  db.exec('PRAGMA secure_delete = ON');
  db.exec(SCHEMA);
  return db;
}
