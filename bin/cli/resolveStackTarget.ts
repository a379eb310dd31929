import { isIP } from 'node:net';
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import * as z from 'zod';
import {
  BadRequestError,
  ClawPulsarError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
} from '../../lambdas/core/errors.ts';
import { AWS_REGION_NAME, STACK_NAME } from '../../lib/awsNames.ts';
import { STACK_OUTPUTS } from '../../lib/stackOutputs.ts';
import type { ManagementTarget } from './ManagementTarget.ts';
import { type AwsCredentialsProvider, sigV4Target } from './sigV4Target.ts';

/** Which deployed stack to manage, and with which AWS configuration. */
export interface StackTargetOptions {
  /** Stack name (or ARN), as `cdk deploy` created it. */
  readonly stack: string;
  /** Default: the SDK's (AWS_REGION, then the profile's region). */
  readonly region?: string;
  /** Default: the SDK's (AWS_PROFILE, then `default`). */
  readonly profile?: string;
}

/** The outputs the CLI reads, by their contract names in lib/stackOutputs.ts. */
export interface StackOutputs {
  readonly managementApiUrl: string;
  readonly registrationUrl: string;
  readonly webhookBaseUrl: string;
  readonly iotEndpoint: string;
  readonly region: string;
}

export interface StackTarget {
  readonly stackName: string;
  /** The stack's region (its `Region` output), which management calls are signed for. */
  readonly region: string;
  readonly status: string;
  readonly outputs: StackOutputs;
  /** The base agents register at: `POST {edgeUrl}/v1/register` is the stack's RegistrationUrl. */
  readonly edgeUrl: string;
  /** The management API, every request SigV4-signed with the operator's credentials. */
  readonly management: ManagementTarget;
}

/** Besides its name (lib/awsNames.ts), an ARN names a stack too. */
const STACK_ARN = /^arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/.+$/;
const HOST_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

/**
 * States whose outputs describe a working deployment. A failed first create (ROLLBACK_COMPLETE) left
 * nothing to manage; an update that rolled back left the previous version running.
 */
const READY = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);

/** Errors that mean the caller's credentials were presented and refused. */
const REJECTED_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET']);

/** An https URL (or http on this machine, a local stand-in) whose path ends in `suffix`; yields the base. */
function endpoint(suffix: string) {
  return z.string().transform((value, ctx) => {
    const url = URL.parse(value);
    const host = url?.hostname.replace(/^\[|\]$/g, '') ?? '';
    const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
    if (
      !url ||
      !(url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) ||
      url.username ||
      url.password ||
      url.search ||
      url.hash ||
      !url.pathname.replace(/\/$/, '').endsWith(suffix)
    ) {
      ctx.addIssue({ code: 'custom', message: `must be an https:// URL ending in ${suffix}` });
      return z.NEVER;
    }
    return `${url.origin}${url.pathname.replace(/\/$/, '').slice(0, -suffix.length)}`;
  });
}

const outputsSchema = z.object({
  [STACK_OUTPUTS.managementApiUrl]: endpoint('/v1'),
  [STACK_OUTPUTS.registrationUrl]: endpoint('/v1/register'),
  [STACK_OUTPUTS.webhookBaseUrl]: z.string().url(),
  [STACK_OUTPUTS.iotEndpoint]: z.string().regex(HOST_NAME, 'must be a host name'),
  [STACK_OUTPUTS.region]: z.string().regex(AWS_REGION_NAME, 'must be a region name'),
});
const REQUIRED_OUTPUTS = Object.keys(outputsSchema.shape);

/**
 * Finds a deployed ClawPulsar stack: `DescribeStacks` with the operator's AWS credentials (the SDK's
 * chain: environment, `--profile`/AWS_PROFILE, SSO, …), checks that the stack is in a completed state,
 * and validates the outputs the CLI relies on. Every failure says what to do next.
 *
 * Errors: `stack_name_invalid`, `aws_credentials_missing`, `aws_region_missing`, `stack_not_found`,
 * `stack_access_denied`, `aws_credentials_rejected`, `cloudformation_unreachable`, `stack_describe_failed`,
 * `stack_not_ready`, `stack_output_missing`, `stack_output_invalid`.
 *
 * @example
 * const stack = await resolveStackTarget({ stack: 'ClawPulsar', region: 'eu-west-1' });
 * await new ManagementClient(stack.management).request('GET', '/v1/agents');
 */
export async function resolveStackTarget(options: StackTargetOptions): Promise<StackTarget> {
  if (!STACK_NAME.test(options.stack) && !STACK_ARN.test(options.stack)) {
    throw new BadRequestError(
      'stack_name_invalid',
      `"${options.stack.slice(0, 140)}" is not a stack name (letters, digits and hyphens, starting with a letter) or stack ARN`,
    );
  }
  const credentials = describedCredentials(options.profile);
  const cloudFormation = new CloudFormationClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    credentials,
  });
  try {
    const region = await regionOf(cloudFormation, options.stack);
    // Credentials first: "none found" is the commonest first-run problem and deserves its own answer.
    await credentials();
    const stack = await describe(cloudFormation, options.stack, region);
    return targetOf(stack, options.stack, region, credentials);
  } finally {
    cloudFormation.destroy();
  }
}

/** The SDK's credential chain, with "none found" turned into advice. */
function describedCredentials(profile: string | undefined): AwsCredentialsProvider {
  const chain = fromNodeProviderChain(profile ? { profile } : {});
  return async () => {
    try {
      return await chain();
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message.split('\n')[0]?.slice(0, 200) : undefined;
      throw new UnauthorizedError(
        'aws_credentials_missing',
        `No AWS credentials found${profile ? ` for profile "${profile}"` : ''}${reason ? ` (${reason})` : ''}. Configure credentials: \`aws configure\` (or \`aws sso login\`), AWS_PROFILE, or --profile NAME.`,
        profile ? { profile } : {},
      );
    }
  };
}

async function regionOf(client: CloudFormationClient, stack: string): Promise<string> {
  try {
    return await client.config.region();
  } catch {
    throw new BadRequestError(
      'aws_region_missing',
      `No AWS region to look for stack "${stack}" in: pass --region, set AWS_REGION, or give your profile a region (\`aws configure\`).`,
      { stack },
    );
  }
}

async function describe(client: CloudFormationClient, name: string, region: string): Promise<Stack> {
  let stacks: Stack[] | undefined;
  try {
    ({ Stacks: stacks } = await client.send(new DescribeStacksCommand({ StackName: name })));
  } catch (error) {
    throw describeError(error, name, region);
  }
  const stack = stacks?.[0];
  if (!stack) throw notFound(name, region);
  return stack;
}

function describeError(error: unknown, name: string, region: string): ClawPulsarError {
  if (error instanceof ClawPulsarError) return error;
  const { name: kind = '', message = '', code } = error as { name?: string; message?: string; code?: string };
  const data = { stack: name, region, error: kind };
  if (kind === 'ValidationError' && /does not exist/.test(message)) return notFound(name, region);
  if (kind === 'AccessDenied' || kind === 'AccessDeniedException') {
    return new ForbiddenError(
      'stack_access_denied',
      `Your AWS identity may not describe stack "${name}" in ${region}: allow cloudformation:DescribeStacks on it (docs/aws.md, "Managing a deployed stack"), or use another --profile.`,
      data,
    );
  }
  if (REJECTED_CREDENTIALS.has(kind)) {
    return new UnauthorizedError(
      'aws_credentials_rejected',
      `AWS refused your credentials (${kind}): refresh them (\`aws sso login\`, new access keys) or use another --profile.`,
      data,
    );
  }
  if (NETWORK_CODES.has(code ?? '') || kind === 'TimeoutError') {
    return new ClawPulsarError(
      'cloudformation_unreachable',
      `Cannot reach CloudFormation in ${region} (${code ?? kind}): check your network and --region.`,
      503,
      data,
      { cause: error },
    );
  }
  return new ClawPulsarError(
    'stack_describe_failed',
    `Describing stack "${name}" in ${region} failed (${kind || 'error'}: ${message.slice(0, 200)})`,
    502,
    data,
    { cause: error },
  );
}

function notFound(name: string, region: string): NotFoundError {
  return new NotFoundError(
    'stack_not_found',
    `No stack "${name}" in ${region}. Deploy it with \`npx cdk deploy\`, or check --stack and --region.`,
    { stack: name, region },
  );
}

function targetOf(
  stack: Stack,
  name: string,
  region: string,
  credentials: AwsCredentialsProvider,
): StackTarget {
  const stackName = stack.StackName ?? name;
  const status = stack.StackStatus ?? 'UNKNOWN';
  const data = { stack: stackName, region, status };
  if (!READY.has(status)) {
    throw new ConflictError(
      'stack_not_ready',
      `Stack "${stackName}" in ${region} is ${status}, not ready to manage: ${advice(status)}`,
      data,
    );
  }
  const values: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) values[output.OutputKey] = output.OutputValue;
  }
  const missing = REQUIRED_OUTPUTS.find((key) => !Object.hasOwn(values, key));
  if (missing) {
    throw new ClawPulsarError(
      'stack_output_missing',
      `Stack "${stackName}" in ${region} has no output ${missing}: is it a ClawPulsar stack of this version? Deploy it with \`npx cdk deploy\`.`,
      502,
      { ...data, output: missing },
    );
  }
  const parsed = outputsSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const output = String(issue?.path[0] ?? '?');
    throw new ClawPulsarError(
      'stack_output_invalid',
      `Stack "${stackName}" output ${output} ${issue?.message ?? 'is invalid'}; redeploy it with \`npx cdk deploy\`.`,
      502,
      { ...data, output },
    );
  }
  const outputs = parsed.data;
  const signingRegion = outputs[STACK_OUTPUTS.region];
  return {
    stackName,
    region: signingRegion,
    status,
    outputs: {
      managementApiUrl: values[STACK_OUTPUTS.managementApiUrl] as string,
      registrationUrl: values[STACK_OUTPUTS.registrationUrl] as string,
      webhookBaseUrl: outputs[STACK_OUTPUTS.webhookBaseUrl],
      iotEndpoint: outputs[STACK_OUTPUTS.iotEndpoint],
      region: signingRegion,
    },
    edgeUrl: outputs[STACK_OUTPUTS.registrationUrl],
    management: sigV4Target({
      url: outputs[STACK_OUTPUTS.managementApiUrl],
      edgeUrl: outputs[STACK_OUTPUTS.registrationUrl],
      region: signingRegion,
      credentials,
      label: `stack "${stackName}" in ${signingRegion}`,
    }),
  };
}

function advice(status: string): string {
  if (status.endsWith('_IN_PROGRESS')) return 'wait for the running operation to finish, then try again.';
  if (status === 'ROLLBACK_COMPLETE') {
    return 'its first deploy failed and was rolled back; read the stack events, delete it and deploy again.';
  }
  if (status === 'DELETE_COMPLETE') return 'it was deleted; deploy it with `npx cdk deploy`.';
  return "read the stack's events in the CloudFormation console, fix the cause and deploy again.";
}
