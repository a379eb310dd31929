/** What a registration token grants: one agent id, until `expiresAt`. Holds no secret. */
export interface RegistrationTokenRecord {
  readonly agentId: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly expiresAt: number;
}

/**
 * Where registration tokens live, keyed by the SHA-256 of the token (lower-case hex), never the token.
 * AWS: DynamoDB with a conditional delete; local: SQLite `DELETE … RETURNING` in one statement.
 */
export interface RegistrationTokenStore {
  put(tokenHash: string, record: RegistrationTokenRecord): Promise<void>;
  /**
   * Atomically takes the token: returns its record and removes it (or marks it used) only when it exists,
   * was not taken before and `expiresAt > now`; otherwise undefined. Two concurrent calls for one token
   * can never both get the record.
   */
  consume(tokenHash: string, now: number): Promise<RegistrationTokenRecord | undefined>;
}
