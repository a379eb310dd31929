import type { DatabaseSync } from 'node:sqlite';
import type { PresenceEvent, PresenceReader, PresenceRecord, PresenceStore } from '../../core/ports.ts';

interface Row {
  agent_id: string;
  connected: number;
  session_id: string;
  event_at: number;
  last_seen: number;
}

/**
 * Agent presence. A connect wins over anything older; a disconnect applies only to the session it
 * belongs to, so a late disconnect of a replaced connection can't mark a live agent offline.
 */
export class SqlitePresenceStore implements PresenceStore, PresenceReader {
  readonly #get;
  readonly #put;
  readonly #online = new Map<string, boolean>();

  constructor(db: DatabaseSync) {
    this.#get = db.prepare('SELECT * FROM presence WHERE agent_id = ?');
    this.#put = db.prepare(
      `INSERT INTO presence (agent_id, connected, session_id, event_at, last_seen) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (agent_id) DO UPDATE SET connected = excluded.connected, session_id = excluded.session_id,
         event_at = excluded.event_at, last_seen = excluded.last_seen`,
    );
    // On start no agent is connected to this process's broker, whatever the file says.
    db.exec('UPDATE presence SET connected = 0');
  }

  async apply(event: PresenceEvent): Promise<boolean> {
    const row = this.#get.get(event.agentId) as Row | undefined;
    if (row) {
      if (event.at < row.event_at) return false;
      if (event.connected && row.connected === 1 && row.session_id === event.sessionId) return false;
      if (!event.connected && (row.session_id !== event.sessionId || row.connected === 0)) return false;
    } else if (!event.connected) {
      return false;
    }
    this.#put.run(event.agentId, event.connected ? 1 : 0, event.sessionId, event.at, event.at);
    this.#online.set(event.agentId, event.connected);
    return true;
  }

  async isOnline(agentId: string): Promise<boolean> {
    const cached = this.#online.get(agentId);
    if (cached !== undefined) return cached;
    const row = this.#get.get(agentId) as Row | undefined;
    return row?.connected === 1;
  }

  async get(agentId: string): Promise<PresenceRecord | undefined> {
    const row = this.#get.get(agentId) as Row | undefined;
    return row ? { agentId, connected: row.connected === 1, lastSeen: row.last_seen } : undefined;
  }
}
