import * as z from 'zod';
import { idSchema, isValidId } from '../../lambdas/core/ids.ts';
import { tunnelEndpointSchema } from '../../lambdas/core/registration/registrationMessages.ts';
import { AWS_REGION_NAME, STACK_NAME } from '../../lib/awsNames.ts';
import { isReservedHeader } from '../forward/forwardHeaders.ts';
import { parseAllowlistEntry } from '../routing/TargetAllowlist.ts';

/** RFC 9110 token: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, spaces and tabs (obs-text too); never CR or LF, which would split the request. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Record keys are checked here rather than by a key schema, so the error names the offending key. */
function checkKeys(check: (key: string) => string | undefined) {
  return (record: Record<string, unknown>, ctx: z.RefinementCtx) => {
    for (const key of Object.keys(record)) {
      const problem = check(key);
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  };
}

const headersSchema = z
  .record(z.string(), z.string().max(8192).regex(HEADER_VALUE, 'contains a line break'))
  .superRefine(
    checkKeys((name) =>
      !HEADER_NAME.test(name)
        ? 'is not a valid header name'
        : isReservedHeader(name)
          ? 'is hop-by-hop or set by the agent itself'
          : undefined,
    ),
  );

export const targetUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => {
    const url = URL.parse(value);
    return (
      url !== null &&
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      !url.username &&
      !url.password
    );
  }, 'must be an http:// or https:// URL without credentials')
  .refine((value) => !value.includes('#'), 'must not have a #fragment');

/** Where the agent forwards one source's webhooks, and the headers it adds (e.g. OpenClaw's bearer token). */
export const routeSchema = z
  .object({
    target: targetUrlSchema,
    headers: headersSchema.optional(),
  })
  .strict();
export type Route = z.infer<typeof routeSchema>;

/** Loopback only: the agent forwards to this machine unless the user widens it on purpose. */
export const DEFAULT_ALLOWLIST: readonly string[] = ['127.0.0.0/8', '::1/128', 'localhost'];

const allowlistEntrySchema = z
  .string()
  .max(255)
  .refine((entry) => {
    try {
      parseAllowlistEntry(entry);
      return true;
    } catch {
      return false;
    }
  }, 'must be a CIDR, an IP address or a host name');

export const forwardingSchema = z
  .object({
    /** Deliveries processed at once; one slow target must not stall the others. */
    concurrency: z.number().int().min(1).max(512).default(16),
    /** Per attempt. OpenClaw answers quickly; a hung target must not hold a slot for ever. */
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** Local attempts before the delivery is left un-acked for the edge to send again later. */
    maxAttempts: z.number().int().min(1).max(100).default(8),
    retryBaseMs: z.number().int().min(1).max(600_000).default(250),
    retryMaxMs: z.number().int().min(1).max(3_600_000).default(30_000),
  })
  .strict();
export type ForwardingOptions = z.infer<typeof forwardingSchema>;

export const renewalSchema = z
  .object({
    /** Renew when less than this fraction of the certificate's lifetime remains (24 h → after 16 h). */
    remainingFraction: z
      .number()
      .gt(0)
      .lt(1)
      .default(1 / 3),
    checkIntervalMs: z.number().int().min(100).max(3_600_000).default(60_000),
    /** How long to wait for the edge's `issued` reply before trying again. */
    replyTimeoutMs: z.number().int().min(100).max(600_000).default(60_000),
  })
  .strict();
export type RenewalOptions = z.infer<typeof renewalSchema>;

/** A command as argv (no shell: alert text can never become shell syntax). */
const argvSchema = z.array(z.string().min(1).max(4096)).min(1).max(64);

/** OpenClaw's wake hook on its default port: it queues the text for the main session and wakes it. */
export const DEFAULT_WAKE_URL = 'http://127.0.0.1:18789/hooks/wake';

/**
 * What the agent does with a budget alert from the edge: POST it to OpenClaw's `/hooks/wake` (with the
 * hooks bearer token in `headers`), run a command with the alert as JSON on stdin, or only log it. A
 * `pause` command runs besides, for alerts at or above `atPercent` of the limit or burn-rate alarms.
 */
export const alertsSchema = z
  .object({
    action: z.enum(['wake', 'command', 'none']).default('wake'),
    url: targetUrlSchema.default(DEFAULT_WAKE_URL),
    headers: headersSchema.optional(),
    command: argvSchema.optional(),
    pause: z
      .object({
        command: argvSchema,
        atPercent: z.number().positive().max(100_000).default(100),
        onBurnRate: z.boolean().default(true),
      })
      .strict()
      .optional(),
    /** Per attempt of the wake POST, and the longest a command may run. */
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  })
  .strict()
  .refine((alerts) => alerts.action !== 'command' || alerts.command !== undefined, {
    message: 'action "command" needs a command',
    path: ['command'],
  });
export type AlertsConfig = z.infer<typeof alertsSchema>;

/**
 * The deployed stack the agent registered with (`agent register --stack NAME`), so that the commands
 * about it (`clawpulsar status`, doctor's advice) need no `--stack`. Only names: no credentials, no
 * profile (AWS credentials are the operator's, wherever the operator runs the CLI).
 */
export const recordedStackSchema = z
  .object({
    name: z.string().regex(STACK_NAME, 'must be a CloudFormation stack name'),
    region: z.string().regex(AWS_REGION_NAME, 'must be an AWS region name').optional(),
  })
  .strict();
export type RecordedStack = z.infer<typeof recordedStackSchema>;

/**
 * `config.json` in the agent home. Routing lives here and only here: the edge never learns the local
 * network. Written 0600 because route headers may hold bearer tokens.
 */
export const agentConfigSchema = z
  .object({
    version: z.literal(1),
    agentId: idSchema,
    /** The edge the agent registered with (its registration endpoint's base URL). */
    edgeUrl: z.string().url(),
    /** Webhook URLs are `{webhookBaseUrl}/{agentId}/{sourceId}`. */
    webhookBaseUrl: z.string().url(),
    /** The broker endpoint; its server CA is in `server-ca.pem`. */
    tunnel: tunnelEndpointSchema.omit({ serverCaPem: true }),
    /** Absent for an agent registered with `--edge URL`, and in configs written before it was recorded. */
    stack: recordedStackSchema.optional(),
    routes: z
      .record(z.string(), routeSchema)
      .superRefine(
        checkKeys((id) => (isValidId(id) ? undefined : 'must be 3-63 lower-case letters, digits or dashes')),
      )
      .default({}),
    /** Used for a source that has no route of its own; without it such deliveries are refused (final). */
    defaultRoute: routeSchema.optional(),
    /** Target hosts the agent may forward to: CIDRs, addresses and host names. */
    allowlist: z
      .array(allowlistEntrySchema)
      .max(256)
      .default([...DEFAULT_ALLOWLIST]),
    forwarding: forwardingSchema.default(forwardingSchema.parse({})),
    renewal: renewalSchema.default(renewalSchema.parse({})),
    alerts: alertsSchema.default(alertsSchema.parse({})),
  })
  .strict();
export type AgentConfig = z.infer<typeof agentConfigSchema>;
