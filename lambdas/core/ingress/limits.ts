/** API Gateway HTTP API's payload limit (10 MB); the local edge enforces the same. */
export const MAX_WEBHOOK_BODY_BYTES = 10 * 1024 * 1024;

/** Envelopes are kept 72 h after receipt (SQS MessageRetentionPeriod 259,200 s), then recorded as expired. */
export const RETENTION_MS = 72 * 60 * 60 * 1000;
