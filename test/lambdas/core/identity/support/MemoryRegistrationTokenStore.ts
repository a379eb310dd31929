import type {
  RegistrationTokenRecord,
  RegistrationTokenStore,
} from '../../../../../lambdas/core/identity/RegistrationTokenStore.ts';

/**
 * The store contract in memory, for core tests: consume removes the record in the same synchronous
 * step as it reads it, so it is atomic in a single event loop.
 */
export class MemoryRegistrationTokenStore implements RegistrationTokenStore {
  readonly records = new Map<string, RegistrationTokenRecord>();

  async put(tokenHash: string, record: RegistrationTokenRecord): Promise<void> {
    this.records.set(tokenHash, record);
  }

  async consume(tokenHash: string, now: number): Promise<RegistrationTokenRecord | undefined> {
    const record = this.records.get(tokenHash);
    if (!record || record.expiresAt <= now) return undefined;
    this.records.delete(tokenHash);
    return record;
  }
}
