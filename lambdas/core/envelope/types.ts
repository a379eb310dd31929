/**
 * What an envelope is bound to, in clear in its header and authenticated as the AEAD's associated data:
 * opening it under any other agent, source, delivery, time or envelope id fails.
 */
export interface EnvelopeBinding {
  readonly agentId: string;
  readonly sourceId: string;
  /** The provider's delivery id (or the ingress's content hash when the provider sends none). */
  readonly deliveryId: string;
  /** When the ingress accepted the webhook, in ms since the epoch. */
  readonly receivedAt: number;
  readonly envelopeId: string;
}

/** The original request as sealed: what the agent forwards to its local target. */
export interface SealedRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Path as received, without the query string. */
  readonly path: string;
  /** Raw query string without the leading `?` ('' when none). */
  readonly query: string;
  /** Lower-case names; hop-by-hop headers and `host` removed (see `toSealedRequest`). */
  readonly headers: Readonly<Record<string, string>>;
  /** The body byte for byte as the provider sent it. */
  readonly body: Uint8Array;
}
