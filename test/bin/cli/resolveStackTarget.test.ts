import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveStackTarget } from '../../../bin/cli/resolveStackTarget.ts';
import { ClawPulsarError } from '../../../lambdas/core/errors.ts';
import { STACK_OUTPUTS } from '../../../lib/stackOutputs.ts';

const cloudFormation = mockClient(CloudFormationClient);
let awsDir: string;

/** Outputs as the deployed stack writes them (lib/ClawPulsarStack.ts), here with a custom domain. */
const OUTPUTS: Record<string, string> = {
  [STACK_OUTPUTS.webhookBaseUrl]: 'https://hooks.example.com/v1/hooks',
  [STACK_OUTPUTS.registrationUrl]: 'https://hooks.example.com/v1/register',
  [STACK_OUTPUTS.managementApiUrl]: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1',
  [STACK_OUTPUTS.iotEndpoint]: 'a1b2c3-ats.iot.eu-west-1.amazonaws.com',
  [STACK_OUTPUTS.iotPolicyName]: 'ClawPulsar-AgentPolicy',
  [STACK_OUTPUTS.caCertificateId]: 'f'.repeat(64),
  [STACK_OUTPUTS.alertsTopicArn]: 'arn:aws:sns:eu-west-1:123456789012:alerts',
  [STACK_OUTPUTS.claimCheckBucket]: 'clawpulsar-envelopes',
  [STACK_OUTPUTS.customDomainTarget]: 'd-abc.execute-api.eu-west-1.amazonaws.com',
  [STACK_OUTPUTS.region]: 'eu-west-1',
};

function stack(status: string, outputs: Record<string, string> = OUTPUTS) {
  return {
    Stacks: [
      {
        StackName: 'demo',
        StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/demo/1',
        CreationTime: new Date(),
        StackStatus: status,
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  } as never;
}

/** An error as the SDK raises it from CloudFormation's answer. */
function serviceError(name: string, message: string) {
  return new CloudFormationServiceException({ name, message, $fault: 'client', $metadata: {} });
}

async function failure(promise: Promise<unknown>): Promise<ClawPulsarError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClawPulsarError);
  return error as ClawPulsarError;
}

beforeAll(() => {
  awsDir = mkdtempSync(join(tmpdir(), 'cp-aws-config-'));
});
afterAll(() => rmSync(awsDir, { recursive: true, force: true }));

beforeEach(() => {
  cloudFormation.reset();
  // Only what each test gives: no profile, config file, instance metadata or container credentials.
  for (const name of [
    'AWS_PROFILE',
    'AWS_DEFAULT_PROFILE',
    'AWS_SESSION_TOKEN',
    'AWS_DEFAULT_REGION',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_CLOUDFORMATION',
  ]) {
    vi.stubEnv(name, undefined);
  }
  vi.stubEnv('AWS_CONFIG_FILE', join(awsDir, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(awsDir, 'credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('resolveStackTarget', () => {
  it('describes exactly the named stack and reads its outputs by their contract names', async () => {
    // Prepare
    cloudFormation.on(DescribeStacksCommand).resolves(stack('UPDATE_COMPLETE'));

    // Act
    const target = await resolveStackTarget({ stack: 'demo' });

    // Assess
    const calls = cloudFormation.commandCalls(DescribeStacksCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toStrictEqual({ StackName: 'demo' });
    expect(target).toMatchObject({
      stackName: 'demo',
      region: 'eu-west-1',
      status: 'UPDATE_COMPLETE',
      outputs: {
        managementApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1',
        registrationUrl: 'https://hooks.example.com/v1/register',
        webhookBaseUrl: 'https://hooks.example.com/v1/hooks',
        iotEndpoint: 'a1b2c3-ats.iot.eu-west-1.amazonaws.com',
        region: 'eu-west-1',
      },
      // Agents register on the public (custom) domain; the CLI appends /v1/register itself.
      edgeUrl: 'https://hooks.example.com',
    });
    // ManagementApiUrl already ends in /v1 and request paths start with /v1: the base drops it once.
    expect(target.management.url).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com');
    expect(target.management.edgeUrl).toBe('https://hooks.example.com');
  });

  it('uses --region and --profile for the lookup and signs for the stack’s own Region output', async () => {
    // Prepare
    // A file of its own: the SDK caches what it read from a path for the life of the process.
    const file = join(awsDir, 'credentials-ops');
    writeFileSync(file, '[ops]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', file);
    vi.stubEnv('AWS_REGION', undefined);
    cloudFormation.on(DescribeStacksCommand).resolves(stack('CREATE_COMPLETE'));

    // Act
    const target = await resolveStackTarget({ stack: 'demo', region: 'eu-west-1', profile: 'ops' });
    const headers = await target.management.authorize({
      method: 'GET',
      url: new URL(`${target.management.url}/v1/agents`),
      headers: {},
    });

    // Assess
    const client = cloudFormation.call(0).thisValue as CloudFormationClient;
    expect(await client.config.region()).toBe('eu-west-1');
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'AKIDPROFILE' });
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDPROFILE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /,
    );
  });

  it.each([
    'CREATE_COMPLETE',
    'UPDATE_COMPLETE',
    'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    'UPDATE_ROLLBACK_COMPLETE',
    'IMPORT_COMPLETE',
  ])('accepts a stack in %s', async (status) => {
    cloudFormation.on(DescribeStacksCommand).resolves(stack(status));

    const target = await resolveStackTarget({ stack: 'demo' });

    expect(target.status).toBe(status);
  });

  it.each([
    ['CREATE_IN_PROGRESS', /wait for the running operation to finish/],
    ['UPDATE_IN_PROGRESS', /wait for the running operation to finish/],
    ['REVIEW_IN_PROGRESS', /wait for the running operation to finish/],
    ['ROLLBACK_COMPLETE', /first deploy failed.*deploy again/],
    ['DELETE_COMPLETE', /was deleted; deploy it with `npx cdk deploy`/],
    ['UPDATE_ROLLBACK_FAILED', /stack's events.*deploy again/],
    ['CREATE_FAILED', /stack's events.*deploy again/],
  ])('refuses a stack in %s and says what to do', async (status, advice) => {
    cloudFormation.on(DescribeStacksCommand).resolves(stack(status));

    const error = await failure(resolveStackTarget({ stack: 'demo' }));

    expect(error.code).toBe('stack_not_ready');
    expect(error.message).toContain(`Stack "demo" in eu-west-1 is ${status}`);
    expect(error.message).toMatch(advice);
  });

  it('says a missing stack is not deployed in that region, as CloudFormation reports it', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(serviceError('ValidationError', 'Stack with id demo does not exist'));

    const error = await failure(resolveStackTarget({ stack: 'demo' }));

    expect(error.code).toBe('stack_not_found');
    expect(error.message).toBe(
      'No stack "demo" in eu-west-1. Deploy it with `npx cdk deploy`, or check --stack and --region.',
    );
  });

  it('treats an empty answer as a missing stack', async () => {
    cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [] });

    expect((await failure(resolveStackTarget({ stack: 'demo' }))).code).toBe('stack_not_found');
  });

  it.each([
    STACK_OUTPUTS.managementApiUrl,
    STACK_OUTPUTS.registrationUrl,
    STACK_OUTPUTS.webhookBaseUrl,
    STACK_OUTPUTS.iotEndpoint,
    STACK_OUTPUTS.region,
  ])('names the output %s when the stack lacks it', async (name) => {
    const { [name]: _dropped, ...outputs } = OUTPUTS;
    cloudFormation.on(DescribeStacksCommand).resolves(stack('CREATE_COMPLETE', outputs));

    const error = await failure(resolveStackTarget({ stack: 'demo' }));

    expect(error.code).toBe('stack_output_missing');
    expect(error.message).toContain(`has no output ${name}`);
    expect(error.message).toContain('npx cdk deploy');
  });

  it.each([
    [STACK_OUTPUTS.managementApiUrl, 'http://abc123.execute-api.eu-west-1.amazonaws.com/v1'],
    [STACK_OUTPUTS.managementApiUrl, 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod'],
    [STACK_OUTPUTS.managementApiUrl, 'https://user:pw@abc123.execute-api.eu-west-1.amazonaws.com/v1'],
    [STACK_OUTPUTS.registrationUrl, 'https://hooks.example.com/v1'],
    [STACK_OUTPUTS.webhookBaseUrl, 'not a url'],
    [STACK_OUTPUTS.iotEndpoint, 'mqtts://iot/'],
    [STACK_OUTPUTS.region, 'Europe'],
  ])('refuses output %s = %s', async (name, value) => {
    cloudFormation
      .on(DescribeStacksCommand)
      .resolves(stack('CREATE_COMPLETE', { ...OUTPUTS, [name]: value }));

    const error = await failure(resolveStackTarget({ stack: 'demo' }));

    expect(error.code).toBe('stack_output_invalid');
    expect(error.message).toContain(`output ${name}`);
  });

  it('says how to configure credentials when the SDK’s chain finds none, before asking CloudFormation', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);

    const error = await failure(resolveStackTarget({ stack: 'demo' }));

    expect(error.code).toBe('aws_credentials_missing');
    expect(error.message).toMatch(/^No AWS credentials found/);
    expect(error.message).toContain(
      'Configure credentials: `aws configure` (or `aws sso login`), AWS_PROFILE, or --profile NAME.',
    );
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  it('names a profile that has no credentials', async () => {
    const error = await failure(resolveStackTarget({ stack: 'demo', profile: 'ghost' }));

    expect(error.code).toBe('aws_credentials_missing');
    expect(error.message).toContain('for profile "ghost"');
  });

  it('asks for a region when neither --region, AWS_REGION nor a profile gives one', async () => {
    vi.stubEnv('AWS_REGION', undefined);

    const error = await failure(resolveStackTarget({ stack: 'demo' }));

    expect(error.code).toBe('aws_region_missing');
    expect(error.message).toContain('pass --region, set AWS_REGION');
  });

  it('says which permission is missing when DescribeStacks is denied', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(serviceError('AccessDenied', 'User: arn:aws:iam::1:user/x is not authorized'));

    const error = await failure(resolveStackTarget({ stack: 'demo' }));

    expect(error.code).toBe('stack_access_denied');
    expect(error.message).toContain('allow cloudformation:DescribeStacks');
  });

  it.each(['ExpiredToken', 'InvalidClientTokenId', 'SignatureDoesNotMatch'])(
    'says credentials AWS refused (%s) need refreshing',
    async (name) => {
      cloudFormation.on(DescribeStacksCommand).rejects(serviceError(name, 'refused'));

      const error = await failure(resolveStackTarget({ stack: 'demo' }));

      expect(error.code).toBe('aws_credentials_rejected');
      expect(error.message).toContain(`(${name})`);
    },
  );

  it('says CloudFormation is unreachable on a network failure', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

    const error = await failure(resolveStackTarget({ stack: 'demo' }));

    expect(error.code).toBe('cloudformation_unreachable');
    expect(error.status).toBe(503);
  });

  it('reports any other CloudFormation failure with its name', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(serviceError('Throttling', 'Rate exceeded'));

    const error = await failure(resolveStackTarget({ stack: 'demo' }));

    expect(error.code).toBe('stack_describe_failed');
    expect(error.message).toContain('Throttling: Rate exceeded');
  });

  it.each(['', '1stack', 'my stack', 'a'.repeat(129), 'demo;rm'])(
    'refuses the stack name %j without calling AWS',
    async (name) => {
      const error = await failure(resolveStackTarget({ stack: name }));

      expect(error.code).toBe('stack_name_invalid');
      expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    },
  );

  it('accepts a stack ARN', async () => {
    const arn = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/demo/1a2b';
    cloudFormation.on(DescribeStacksCommand).resolves(stack('CREATE_COMPLETE'));

    await resolveStackTarget({ stack: arn });

    expect(cloudFormation.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toStrictEqual({
      StackName: arn,
    });
  });
});
