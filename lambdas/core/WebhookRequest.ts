/**
 * A webhook request as the ingress received it, runtime-independent. Both the API Gateway handler and
 * the local edge's HTTP server build one of these; verifiers and the envelope read only this.
 */
export interface WebhookRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /**
   * The exact public URL the provider called (scheme, host, path and query as sent). URL-bound schemes
   * (Twilio, Square, HubSpot v3) sign it, so it must be rebuilt from what the provider saw, not from
   * an internal address.
   */
  readonly url: string;
  /** Path as received, without the query string. */
  readonly path: string;
  /** Raw query string without the leading `?` ('' when none). */
  readonly query: string;
  /**
   * Header names lower-cased. Repeated headers are joined with ', ' (what API Gateway v2 and Node do);
   * verifiers that accept several signatures split them.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The body exactly as received, as bytes. Never re-serialised. */
  readonly body: Uint8Array;
}
