/**
 * `clawpulsar verify`: checks one captured webhook request exactly as the ingress would, at a chosen
 * time, so an operator can tell a wrong secret from a proxy that rewrote the body.
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { BadRequestError } from '../../lambdas/core/errors.ts';
import {
  type GenericHmacDefinition,
  PROVIDER_IDS,
  type ProviderId,
  type SourceVerification,
  type VerifyResult,
} from '../../lambdas/core/signatures/types.ts';
import { assertSourceVerification, getProvider } from '../../lambdas/core/signatures/verifyWebhook.ts';
import type { WebhookRequest } from '../../lambdas/core/WebhookRequest.ts';
import { EXIT, print, printError, UsageError } from '../cli/output.ts';

interface VerifyOptions {
  readonly provider: ProviderId;
  readonly secret: string[];
  readonly header: string[];
  readonly bodyFile: string;
  readonly url: string;
  readonly method: string;
  readonly at?: number;
  readonly verifyToken?: string;
  readonly tolerance?: number;
  readonly generic?: string;
  readonly json?: boolean;
}

const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/s;
const METHOD = /^[A-Za-z]+$/;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseProvider(value: string): ProviderId {
  if ((PROVIDER_IDS as readonly string[]).includes(value)) return value as ProviderId;
  throw new InvalidArgumentError(`Unknown provider. Use one of: ${PROVIDER_IDS.join(', ')}.`);
}

function parseSeconds(flag: string, example: string) {
  return (value: string): number => {
    if (!/^\d{1,12}$/.test(value))
      throw new InvalidArgumentError(`${flag} takes whole seconds, e.g. ${flag} ${example}.`);
    return Number(value);
  };
}

/** Repeated headers are joined with ', ', as API Gateway and Node join them before the ingress sees them. */
function parseHeaders(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const match = HEADER_LINE.exec(line);
    if (!match) {
      throw new UsageError(
        `Malformed --header: write it as 'Name: value', e.g. --header 'Stripe-Signature: t=…,v1=…'.`,
      );
    }
    const name = match[1]!.toLowerCase();
    const value = match[2]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

function readBody(path: string): Uint8Array {
  try {
    return readFileSync(path === '-' ? 0 : path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(
      `Cannot read --body-file ${path} (${code}): pass the raw body as saved, or - for stdin.`,
    );
  }
}

function buildRequest(options: VerifyOptions): WebhookRequest {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new UsageError(
      `--url must be the absolute URL the provider called, e.g. https://hooks.example.com/v1/hooks/a/s.`,
    );
  }
  if (!METHOD.test(options.method))
    throw new UsageError(`--method must be an HTTP method such as POST or GET.`);
  return {
    method: options.method.toUpperCase(),
    url: url.href,
    path: url.pathname,
    query: url.search.slice(1),
    headers: parseHeaders(options.header),
    body: readBody(options.bodyFile),
  };
}

function buildSource(options: VerifyOptions): SourceVerification {
  if (options.secret.length === 0)
    throw new UsageError('Pass at least one --secret (repeat it to try several).');
  let generic: GenericHmacDefinition | undefined;
  if (options.generic !== undefined) {
    try {
      generic = JSON.parse(options.generic) as GenericHmacDefinition;
    } catch {
      throw new UsageError(
        `--generic must be a JSON definition, e.g. '{"header":"x-signature","algorithm":"sha256","encoding":"hex"}'.`,
      );
    }
  }
  const source: SourceVerification = {
    provider: options.provider,
    secrets: options.secret,
    ...(options.verifyToken === undefined ? {} : { verifyToken: options.verifyToken }),
    ...(options.tolerance === undefined ? {} : { toleranceSeconds: options.tolerance }),
    ...(generic === undefined ? {} : { generic }),
  };
  assertSourceVerification(source);
  return source;
}

function describe(result: VerifyResult, displayName: string): string {
  if (!result.ok) return `invalid: ${result.reason}`;
  const delivery = result.deliveryId ?? '(none sent; the ingress dedupes on a hash of the body)';
  return `valid: ${displayName}, scheme ${result.scheme}, secret #${result.secretIndex + 1}, delivery id ${delivery}`;
}

function run(options: VerifyOptions): void {
  const request = buildRequest(options);
  const source = buildSource(options);
  const provider = getProvider(source.provider);
  const input = { request, source, nowSeconds: options.at ?? Math.floor(Date.now() / 1000) };
  // As the ingress: a GET is unsigned and only ever answered by a provider's subscription handshake.
  const verified: VerifyResult =
    request.method === 'GET' ? { ok: false, reason: 'unsigned GET' } : provider.verify(input);
  const handshake = provider.handshake?.(input, verified);
  const answered = handshake !== undefined && handshake.status < 300;
  const lines = [describe(verified, provider.displayName)];
  if (handshake) lines.push(`handshake: the ingress answers ${handshake.status} ${handshake.body}`);
  print(
    options,
    {
      valid: verified.ok,
      provider: provider.id,
      ...(verified.ok
        ? {
            scheme: verified.scheme,
            secretIndex: verified.secretIndex,
            deliveryId: verified.deliveryId ?? null,
          }
        : { reason: verified.reason }),
      ...(handshake ? { handshake } : {}),
    },
    lines.join('\n'),
  );
  process.exitCode = verified.ok || answered ? EXIT.ok : EXIT.failed;
}

/**
 * Registers `clawpulsar verify`. Exit 0 valid (or a handshake answered), 1 invalid, 2 usage error.
 *
 * @example
 * clawpulsar verify --provider github --secret "$SECRET" --header 'X-Hub-Signature-256: sha256=…' --body-file body.json
 */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('Verify one captured webhook request exactly as the ingress would')
    .requiredOption('--provider <id>', `provider id (${PROVIDER_IDS.join(', ')})`, parseProvider)
    .option(
      '--secret <secret>',
      'signing secret, public key or token; repeat for rotation (newest first)',
      collect,
      [],
    )
    .option('--header <line>', "request header as 'Name: value'; repeat for each header", collect, [])
    .requiredOption('--body-file <path>', 'the raw body exactly as received, or - for stdin')
    .option('--url <url>', 'the public URL the provider called', 'https://localhost/')
    .option('--method <method>', 'HTTP method', 'POST')
    .option(
      '--at <unix-seconds>',
      'verify as if received at this time (default now)',
      parseSeconds('--at', '1767225600'),
    )
    .option('--verify-token <token>', "Meta's hub.verify_token for the GET subscription handshake")
    .option(
      '--tolerance <seconds>',
      "override the provider's timestamp tolerance",
      parseSeconds('--tolerance', '600'),
    )
    .option('--generic <json>', 'the generic HMAC definition, as JSON (with --provider generic)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Examples:
  clawpulsar verify --provider stripe --secret whsec_… \\
    --header 'Stripe-Signature: t=1767225600,v1=5257a8…' --body-file event.json --at 1767225600
  curl … | clawpulsar verify --provider github --secret s3cret --header 'X-Hub-Signature-256: sha256=…' --body-file -

Exit status: 0 valid, 1 invalid (the reason is printed), 2 usage error.`,
    )
    .action((options: VerifyOptions) => {
      try {
        run(options);
      } catch (error) {
        if (!(error instanceof UsageError || error instanceof BadRequestError)) throw error;
        printError(options, error);
        process.exitCode = EXIT.usage;
      }
    });
}
