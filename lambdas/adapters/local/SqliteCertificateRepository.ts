import type { DatabaseSync } from 'node:sqlite';
import type { CertificateRecord, CertificateRepository, CertificateStatus } from '../../core/ports.ts';

interface Row {
  serial_number: string;
  agent_id: string;
  not_before: number;
  not_after: number;
  status: string;
  issued_at: number;
}

/** Issued agent certificates (metadata only: the certificates themselves are public and not kept). */
export class SqliteCertificateRepository implements CertificateRepository {
  readonly #get;
  readonly #put;
  readonly #byAgent;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare('SELECT * FROM certificates WHERE serial_number = ?');
    this.#put = db.prepare(
      `INSERT INTO certificates (serial_number, agent_id, not_before, not_after, status, issued_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (serial_number) DO UPDATE SET status = excluded.status`,
    );
    this.#byAgent = db.prepare('SELECT * FROM certificates WHERE agent_id = ? ORDER BY issued_at DESC');
  }

  async get(serialNumber: string): Promise<CertificateRecord | undefined> {
    const row = this.#get.get(serialNumber) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  async put(c: CertificateRecord): Promise<void> {
    this.#put.run(c.serialNumber, c.agentId, c.notBefore, c.notAfter, c.status, c.issuedAt);
  }

  async listByAgent(agentId: string): Promise<CertificateRecord[]> {
    return (this.#byAgent.all(agentId) as unknown as Row[]).map(toRecord);
  }
}

function toRecord(row: Row): CertificateRecord {
  return {
    serialNumber: row.serial_number,
    agentId: row.agent_id,
    notBefore: row.not_before,
    notAfter: row.not_after,
    status: row.status as CertificateStatus,
    issuedAt: row.issued_at,
  };
}
