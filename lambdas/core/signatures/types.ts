import type { WebhookRequest } from '../WebhookRequest.ts';

/** Canonical ids of the providers whose webhook signatures ClawPulsar verifies. */
export const PROVIDER_IDS = [
  'stripe',
  'github',
  'standard-webhooks',
  'svix',
  'clerk',
  'resend',
  'openai',
  'slack',
  'shopify',
  'twilio',
  'linear',
  'gitlab',
  'discord',
  'telegram',
  'square',
  'paddle',
  'meta',
  'pagerduty',
  'sentry',
  'vercel',
  'hubspot',
  'mailgun',
  'sendgrid',
  'twitch',
  'zoom',
  'intercom',
  'calendly',
  'typeform',
  'coinbase-commerce',
  'bitbucket',
  'jira',
  'notion',
  'lemonsqueezy',
  'supabase',
  'generic',
] as const;

export type ProviderId = (typeof PROVIDER_IDS)[number];

/**
 * A generic HMAC definition for providers not in the list: which header carries the signature, how it
 * is encoded, and what content is signed.
 */
export interface GenericHmacDefinition {
  /** Lower-case header name that carries the signature. */
  readonly header: string;
  readonly algorithm: 'sha256' | 'sha1' | 'sha512';
  readonly encoding: 'hex' | 'base64';
  /** Text before the signature in the header, e.g. `sha256=` (default none). */
  readonly prefix?: string;
  /**
   * What is signed. `{body}` is the raw body, `{header:NAME}` a header's value, `{url}` the public URL,
   * `{method}` the method. Default `{body}`.
   */
  readonly template?: string;
  /** Header holding a unix timestamp (seconds) to bound the request in time, when the template uses one. */
  readonly timestampHeader?: string;
  /** Header carrying the provider's delivery id, used to dedupe retries (default none). */
  readonly deliveryIdHeader?: string;
}

/** How one source verifies the requests that reach it. Secrets are plaintext here: memory only. */
export interface SourceVerification {
  readonly provider: ProviderId;
  /**
   * The signing secrets, newest first: several at once so a secret can rotate with zero downtime.
   * For asymmetric schemes (Discord, SendGrid, Standard Webhooks v1a) these are public keys.
   * For token schemes (Telegram, GitLab token) these are the expected tokens.
   */
  readonly secrets: readonly string[];
  /** Meta's `hub.verify_token`, answered on the GET subscription handshake. */
  readonly verifyToken?: string;
  /** Overrides the provider's default timestamp tolerance. */
  readonly toleranceSeconds?: number;
  /** Required when `provider` is `generic`. */
  readonly generic?: GenericHmacDefinition;
}

export interface VerifyInput {
  readonly request: WebhookRequest;
  readonly source: SourceVerification;
  /** Unix seconds; the verifier's notion of now (tests and `clawpulsar verify --at`). */
  readonly nowSeconds: number;
}

export type VerifyResult =
  | {
      readonly ok: true;
      /** Which scheme matched, e.g. `stripe-v1`, `hubspot-v3`, `gitlab-token`. */
      readonly scheme: string;
      /** Index into `source.secrets` of the secret that matched (rotation telemetry, handshakes). */
      readonly secretIndex: number;
      /** The provider's own delivery id when it sends one (dedupe key for 72 h). */
      readonly deliveryId?: string;
    }
  | {
      readonly ok: false;
      /** Short, specific, safe to show: never contains a secret or a computed MAC. */
      readonly reason: string;
    };

/** A synchronous answer to a provider's endpoint handshake. Never queued. */
export interface HandshakeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface WebhookProvider {
  readonly id: ProviderId;
  readonly displayName: string;
  /** What the operator pastes as `--secret`. */
  readonly secretKind: 'shared-secret' | 'public-key' | 'token';
  /** Default timestamp tolerance in seconds, for schemes that carry a timestamp. */
  readonly toleranceSeconds?: number;
  /** Verifies over the raw bytes; never throws on bad input, returns `{ ok: false, reason }`. */
  verify(input: VerifyInput): VerifyResult;
  /**
   * Returns the handshake answer when the request is a provider's endpoint handshake; undefined for
   * ordinary deliveries. The ingress answers it synchronously and never queues the request.
   *
   * Contract with the ingress:
   * - POST (Slack `url_verification`, Zoom `endpoint.url_validation`, Twitch
   *   `webhook_callback_verification`): the ingress calls `verify` first and passes its result; a
   *   provider answers only when `verified.ok` is true, so an unsigned challenge is never echoed.
   * - GET (Meta's `hub.mode=subscribe`): GETs carry no signature, so the ingress calls `handshake` with
   *   the failed result of `verify`; the provider authenticates the GET itself (Meta: the
   *   `hub.verify_token` against `source.verifyToken`, in constant time) and returns 403 on a mismatch.
   *   Undefined means "not a handshake": the ingress then refuses the GET.
   */
  handshake?(input: VerifyInput, verified: VerifyResult): HandshakeResponse | undefined;
}

/** One reusable verification scheme, parameterised by a provider definition. Never throws. */
export type SchemeVerifier = (input: VerifyInput) => VerifyResult;
