/**
 * The DynamoDB tables of the AWS runtime, described once: the CDK stack builds its tables from these
 * definitions and the adapter tests create the same tables in dynalite, so the two can't drift. Plain data,
 * no CDK or SDK types. Every table is on-demand, encrypted with the stack's key; TTL attributes hold epoch
 * seconds (DynamoDB deletes expired items within days, so adapters also check expiry themselves).
 */

export type AttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** `ALL`, `KEYS_ONLY`, or the non-key attributes to include. */
  readonly projection: 'ALL' | 'KEYS_ONLY' | readonly string[];
}

export interface TableDefinition {
  /** What the table holds, for the stack's descriptions and reviewers. */
  readonly purpose: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly timeToLiveAttribute?: string;
  readonly globalSecondaryIndexes: readonly IndexDefinition[];
}

/** Name of the TTL attribute wherever a table has one (epoch seconds). */
export const TTL_ATTRIBUTE = 'ttl';

const s = (name: string): KeyAttribute => ({ name, type: 'S' });
const n = (name: string): KeyAttribute => ({ name, type: 'N' });

/**
 * Every table by its logical name. Environment variables name the physical tables (see
 * `lambdas/handlers/env.ts`): agents → AGENTS_TABLE, certificates → CERTIFICATES_TABLE, sources →
 * SOURCES_TABLE, registrationTokens → REGISTRATION_TOKENS_TABLE, dedupe → DEDUPE_TABLE, deliveryLog →
 * DELIVERY_LOG_TABLE, presence → PRESENCE_TABLE, inFlight → IN_FLIGHT_TABLE, config → CONFIG_TABLE.
 */
export const TABLES = {
  agents: {
    purpose: 'Agents: status and X25519 sealing public key (public material only).',
    partitionKey: s('agentId'),
    globalSecondaryIndexes: [],
  },
  certificates: {
    purpose: 'Issued agent certificates (metadata and IoT registration ids; certificates are public).',
    partitionKey: s('serialNumber'),
    timeToLiveAttribute: TTL_ATTRIBUTE,
    globalSecondaryIndexes: [
      { indexName: 'byAgent', partitionKey: s('agentId'), sortKey: n('issuedAt'), projection: 'ALL' },
    ],
  },
  sources: {
    purpose: 'Webhook sources: secrets only as KMS ciphertext.',
    partitionKey: s('agentId'),
    sortKey: s('sourceId'),
    globalSecondaryIndexes: [],
  },
  registrationTokens: {
    purpose: 'One-time registration tokens, keyed by SHA-256 (never the token).',
    partitionKey: s('tokenHash'),
    timeToLiveAttribute: TTL_ATTRIBUTE,
    globalSecondaryIndexes: [],
  },
  dedupe: {
    purpose: "Provider delivery ids seen in the last 72 h, so a provider's retry is not queued twice.",
    partitionKey: s('dedupeKey'),
    timeToLiveAttribute: TTL_ATTRIBUTE,
    globalSecondaryIndexes: [],
  },
  deliveryLog: {
    purpose: 'Delivery log, metadata only (never header values or bodies), kept 90 days.',
    partitionKey: s('envelopeId'),
    timeToLiveAttribute: TTL_ATTRIBUTE,
    globalSecondaryIndexes: [
      { indexName: 'byAgent', partitionKey: s('agentId'), sortKey: n('receivedAt'), projection: 'ALL' },
      { indexName: 'byDay', partitionKey: s('receivedDay'), sortKey: n('receivedAt'), projection: 'ALL' },
    ],
  },
  presence: {
    purpose: "Agents' tunnel presence: connected, session, last event time.",
    partitionKey: s('agentId'),
    globalSecondaryIndexes: [],
  },
  inFlight: {
    purpose: 'Envelopes taken from the queue and not yet acked: attempts and the latest SQS receipt handle.',
    partitionKey: s('envelopeId'),
    timeToLiveAttribute: TTL_ATTRIBUTE,
    globalSecondaryIndexes: [
      // Sparse: `waitingAgentId` is removed when the envelope completes, so only waiting ones are indexed.
      {
        indexName: 'byAgent',
        partitionKey: s('waitingAgentId'),
        sortKey: n('receivedAt'),
        projection: ['receiptHandle'],
      },
    ],
  },
  config: {
    purpose: 'Deployment configuration written by custom resources (the issuing CA certificate).',
    partitionKey: s('name'),
    globalSecondaryIndexes: [],
  },
} as const satisfies Record<string, TableDefinition>;

export type TableName = keyof typeof TABLES;
