/**
 * Errors of the provider usage clients. Each names the provider and says what to do next; none ever holds
 * the key, a header value or a response body.
 */
import { ClawPulsarError } from '../errors.ts';

/**
 * The provider rejected the key (401/403). The message says which kind of key and permission the
 * client needs. Maps to 502: our dependency refused us, the caller's own request was fine.
 */
export class ProviderAuthError extends ClawPulsarError {
  override name = 'ProviderAuthError';
  constructor(provider: string, status: number, requirement: string) {
    super('provider_auth_failed', `${provider} rejected the key (HTTP ${status}). ${requirement}`, 502, {
      provider,
      status,
    });
  }
}

/** The provider could not be reached, timed out or failed (5xx). Retry later. Maps to 503. */
export class ProviderUnavailableError extends ClawPulsarError {
  override name = 'ProviderUnavailableError';
  constructor(
    provider: string,
    message: string,
    data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('provider_unavailable', message, 503, { provider, ...data }, options);
  }
}

/** The provider kept answering 429 past the retry budget. Maps to 503 with the advised wait. */
export class ProviderRateLimitedError extends ClawPulsarError {
  override name = 'ProviderRateLimitedError';
  constructor(provider: string, retryAfterMs: number | undefined) {
    super(
      'provider_rate_limited',
      `${provider} is rate limiting usage requests${retryAfterMs === undefined ? '' : `; it asks to wait ${Math.ceil(retryAfterMs / 1000)} s`}. Try again later.`,
      503,
      { provider, retryAfterMs },
    );
  }
}

/**
 * The provider answered, but not with what its documentation promises (invalid JSON, a missing field, an
 * unexpected currency, an unexpected status). Maps to 502.
 */
export class ProviderResponseError extends ClawPulsarError {
  override name = 'ProviderResponseError';
  constructor(provider: string, message: string, data: Record<string, unknown> = {}) {
    super('provider_bad_response', `${provider} returned an unexpected response: ${message}`, 502, {
      provider,
      ...data,
    });
  }
}

/**
 * A request to a URL outside the client's allowlist of usage/billing endpoints was refused before
 * anything was sent. This is a bug or an attack, never a provider problem. Maps to 403.
 */
export class EndpointNotAllowedError extends ClawPulsarError {
  override name = 'EndpointNotAllowedError';
  constructor(reason: string, data: Record<string, unknown> = {}) {
    super('endpoint_not_allowed', `Refused to send a provider key: ${reason}`, 403, data);
  }
}
