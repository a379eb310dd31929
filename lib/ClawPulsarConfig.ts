import * as z from 'zod';

/** Prefix of every context key the app reads (`cdk deploy -c clawpulsar:alertEmail=…`). */
export const CONTEXT_PREFIX = 'clawpulsar:';

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** `-c key=value` always arrives as a string; cdk.json may hold real JSON types. Empty means unset. */
const blankToUndefined = (value: unknown): unknown =>
  value === '' || value === null || value === undefined ? undefined : value;

const flag = (fallback: boolean) =>
  z.preprocess(
    (value) => {
      const v = blankToUndefined(value);
      if (v === 'true') return true;
      if (v === 'false') return false;
      return v;
    },
    z.boolean({ error: 'must be true or false' }).default(fallback),
  );

const integer = (fallback: number, min: number, max: number) =>
  z.preprocess(
    (value) => {
      const v = blankToUndefined(value);
      return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    },
    z
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int(`must be a whole number from ${min} to ${max}`)
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`)
      .default(fallback),
  );

const optionalString = <T extends z.ZodType<string | undefined>>(schema: T) =>
  z.preprocess(blankToUndefined, schema);

/**
 * The deployment's settings, read from CDK context (`cdk.json` or `-c clawpulsar:<name>=<value>`). Every
 * key is documented in docs/aws.md. Unknown `clawpulsar:` keys are refused, so a typo fails loudly instead
 * of deploying defaults.
 */
export const clawPulsarConfigSchema = z
  .object({
    /** CloudFormation stack name. */
    stackName: z.preprocess(
      blankToUndefined,
      z
        .string()
        .regex(
          /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
          'must be a CloudFormation stack name (letters, digits, dashes)',
        )
        .default('ClawPulsar'),
    ),
    /** Where operational alarms (and later budget alerts) are emailed; unset means no subscription. */
    alertEmail: optionalString(z.email('must be an email address').optional()),
    /** Custom domain for the public routes (webhooks, registration), e.g. `hooks.example.com`. */
    domainName: optionalString(
      z
        .string()
        .regex(
          /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
          'must be a lower-case DNS name such as hooks.example.com',
        )
        .optional(),
    ),
    /** ACM certificate (same region as the stack) covering domainName. */
    certificateArn: optionalString(
      z
        .string()
        .regex(
          /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
          'must be an ACM certificate ARN',
        )
        .optional(),
    ),
    /** Retention of every log group the stack creates. */
    logRetentionDays: integer(30, 1, 3653).refine(
      (days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days),
      `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
    ),
    /** Steady-state requests per second across the HTTP API's public and management routes. */
    throttleRateLimit: integer(50, 1, 10_000),
    /** Burst above the rate limit the HTTP API absorbs before answering 429. */
    throttleBurstLimit: integer(100, 1, 5_000),
    /**
     * Reserve Lambda concurrency per function. Accounts whose concurrency quota is still the new-account
     * 10 can't reserve any (Lambda keeps 10 unreserved) and must deploy with `false`.
     */
    reservedConcurrency: flag(true),
    /** X-Ray active tracing on every function and the API (costs per trace; off by default). */
    tracing: flag(false),
    /** Days a deleted KMS key waits before it is destroyed (7–30); the window to cancel a mistaken destroy. */
    keyDeletionWindowDays: integer(30, 7, 30),
    /** Minutes between budget polls (EventBridge Scheduler rate); providers update usage every few minutes. */
    budgetPollMinutes: integer(5, 1, 1440),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (Boolean(config.domainName) !== Boolean(config.certificateArn)) {
      ctx.addIssue({
        code: 'custom',
        path: [config.domainName ? 'certificateArn' : 'domainName'],
        message: 'domainName and certificateArn go together: set both or neither',
      });
    }
  });

export type ClawPulsarConfig = z.infer<typeof clawPulsarConfigSchema>;

/** Thrown when the context values are invalid; the message names every bad key and why. */
export class InvalidContextError extends Error {
  readonly keys: readonly string[];

  constructor(problems: readonly { key: string; message: string }[]) {
    super(
      `Invalid ClawPulsar context: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}. ` +
        'See docs/aws.md for every context value.',
    );
    this.name = 'InvalidContextError';
    this.keys = problems.map((p) => p.key);
  }
}

/**
 * Reads and validates the `clawpulsar:` context values. Keys outside the prefix are ignored (CDK's own
 * feature flags live there); unknown keys inside it are an error.
 *
 * @example
 * const config = readConfig({ 'clawpulsar:alertEmail': 'ops@example.com' });
 * config.stackName; // 'ClawPulsar'
 */
export function readConfig(context: Readonly<Record<string, unknown>>): ClawPulsarConfig {
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (key.startsWith(CONTEXT_PREFIX)) values[key.slice(CONTEXT_PREFIX.length)] = value;
  }
  const parsed = clawPulsarConfigSchema.safeParse(values);
  if (parsed.success) return parsed.data;
  throw new InvalidContextError(
    parsed.error.issues.flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({ key: `${CONTEXT_PREFIX}${key}`, message: 'unknown context key' }));
      }
      return [{ key: `${CONTEXT_PREFIX}${issue.path.join('.')}`, message: issue.message }];
    }),
  );
}
