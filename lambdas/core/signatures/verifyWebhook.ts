import { BadRequestError } from '../errors.ts';
import { providers } from './providers/index.ts';
import { sourceVerificationSchema } from './sourceVerificationSchema.ts';
import type { ProviderId, SourceVerification, VerifyInput, VerifyResult, WebhookProvider } from './types.ts';

// A source object is validated once; the ingress reuses the same object for every request to it.
const validated = new WeakSet<SourceVerification>();

/**
 * Checks a source's verification settings, throwing a `BadRequestError` (`invalid_source_verification`)
 * that names what is wrong: unknown provider, no secrets, missing generic definition, …
 *
 * @example
 * assertSourceVerification({ provider: 'stripe', secrets: [] }); // throws: at least one secret is required
 */
export function assertSourceVerification(source: SourceVerification): void {
  if (validated.has(source)) return;
  const parsed = sourceVerificationSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message,
    );
    throw new BadRequestError(
      'invalid_source_verification',
      `Invalid source verification: ${problems.join('; ')}`,
      {
        provider: typeof source.provider === 'string' ? source.provider : undefined,
      },
    );
  }
  validated.add(source);
}

/**
 * The provider for an id; throws a `BadRequestError` (`unknown_provider`) for an id it doesn't know.
 *
 * @example
 * getProvider('github').verify(input);
 */
export function getProvider(id: ProviderId): WebhookProvider {
  const provider = Object.hasOwn(providers, id) ? providers[id] : undefined;
  if (provider === undefined) {
    throw new BadRequestError('unknown_provider', `Unknown provider ${JSON.stringify(id)}`, { provider: id });
  }
  return provider;
}

/**
 * Verifies one webhook request over its raw bytes, as the source's provider defines it: every secret
 * tried, constant-time comparison, timestamp bounded where the scheme has one. Synchronous; never
 * parses the body before the signature verified. Throws only for an invalid source configuration.
 *
 * @example
 * const result = verifyWebhook({ request, source: { provider: 'github', secrets: [secret] }, nowSeconds });
 * if (!result.ok) return unauthorized(result.reason);
 */
export function verifyWebhook(input: VerifyInput): VerifyResult {
  assertSourceVerification(input.source);
  return getProvider(input.source.provider).verify(input);
}
