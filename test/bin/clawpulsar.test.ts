import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STACK_OUTPUTS } from '../../lib/stackOutputs.ts';
import { CLI } from '../support/cliProcess.ts';
import { CloudFormationStandIn } from '../support/cloudFormationStandIn.ts';
import { runCommand } from '../support/runCommand.ts';
import { SigV4ManagementApi } from '../support/sigV4ManagementApi.ts';
import { TestEdge } from '../support/testEdge.ts';

/**
 * The built CLI against a deployed stack, all on loopback: the real AWS SDK finds the stack through a
 * CloudFormation stand-in (DescribeStacks in CloudFormation's own protocol, via
 * AWS_ENDPOINT_URL_CLOUDFORMATION), and the stack's ManagementApiUrl points at an API that, like API
 * Gateway's IAM authoriser, lets through only requests whose SigV4 signature an independent implementation
 * re-derives, before the real management router answers them. The stack's RegistrationUrl points at a
 * test edge that registers agents.
 */
const CREDENTIALS = {
  accessKeyId: 'AKIDSTACKTEST',
  secretAccessKey: 'stack-test-secret/0123456789+abcdefghijklmnop',
  sessionToken: 'stack-test-session-token',
};
const REGION = 'eu-west-1';
const COMMANDS = [
  'dev',
  'token',
  'source',
  'agent',
  'agents',
  'deliveries',
  'verify',
  'budget',
  'keys',
  'history',
  'logs',
  'service',
  'doctor',
  'status',
  'dashboard',
  'onboard',
];

let home: string;
let api: SigV4ManagementApi;
let edge: TestEdge;
let cloudFormation: CloudFormationStandIn;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'cp-stack-cli-'));
  api = await SigV4ManagementApi.start({ ...CREDENTIALS, region: REGION, service: 'execute-api' });
  edge = await TestEdge.start();
  const outputs = {
    [STACK_OUTPUTS.webhookBaseUrl]: `${edge.url}/v1/hooks`,
    [STACK_OUTPUTS.registrationUrl]: `${edge.url}/v1/register`,
    [STACK_OUTPUTS.managementApiUrl]: `${api.url}/v1`,
    [STACK_OUTPUTS.iotEndpoint]: 'a1b2c3-ats.iot.eu-west-1.amazonaws.com',
    [STACK_OUTPUTS.iotPolicyName]: 'ClawPulsar-AgentPolicy',
    [STACK_OUTPUTS.caCertificateId]: 'f'.repeat(64),
    [STACK_OUTPUTS.alertsTopicArn]: 'arn:aws:sns:eu-west-1:123456789012:alerts',
    [STACK_OUTPUTS.claimCheckBucket]: 'clawpulsar-envelopes',
    [STACK_OUTPUTS.region]: REGION,
  };
  cloudFormation = await CloudFormationStandIn.start(
    { ...CREDENTIALS, region: REGION },
    {
      demo: { status: 'UPDATE_COMPLETE', outputs },
      deploying: { status: 'UPDATE_IN_PROGRESS', outputs },
    },
  );
});
afterAll(async () => {
  await Promise.all([api?.close(), edge?.close(), cloudFormation?.close()]);
  rmSync(home, { recursive: true, force: true });
});

/** The CLI with static AWS credentials and nothing else from this machine's AWS or ClawPulsar setup. */
async function clawpulsar(args: readonly string[], env: Record<string, string | undefined> = {}) {
  const result = await runCommand(process.execPath, [CLI, ...args], {
    timeoutMs: 20_000,
    env: {
      HOME: home,
      AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
      AWS_REGION: REGION,
      AWS_CONFIG_FILE: join(home, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PROFILE: undefined,
      AWS_DEFAULT_PROFILE: undefined,
      AWS_DEFAULT_REGION: undefined,
      AWS_ENDPOINT_URL: undefined,
      CLAWPULSAR_STACK: undefined,
      CLAWPULSAR_AGENT_DIR: undefined,
      ...env,
    },
  });
  const stdout = result.stdout.toString();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { code: result.code, stdout, stderr: result.stderr, json };
}

/** What the stand-ins received while `act` ran. */
async function traffic<T>(act: () => Promise<T>) {
  const [apiFrom, cfnFrom] = [api.requests.length, cloudFormation.requests.length];
  const result = await act();
  return {
    result,
    management: api.requests.slice(apiFrom),
    describes: cloudFormation.requests.slice(cfnFrom),
  };
}

describe('clawpulsar command line', () => {
  it('still lists every command and the stack options in --help', async () => {
    const result = await clawpulsar(['--help']);

    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const option of ['--stack <name>', '--region <region>', '--profile <profile>']) {
      expect(result.stdout).toContain(option);
    }
  });

  it('lists every command in --help after a global --stack, without asking AWS', async () => {
    const { result, describes } = await traffic(() => clawpulsar(['--stack', 'demo', '--help']));

    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(describes).toHaveLength(0);
  });

  it('lists --stack, --region and --profile in every management command’s help', async () => {
    for (const command of [
      ['agents', 'list'],
      ['token', 'create'],
      ['keys', 'list'],
      ['agent', 'register'],
    ]) {
      const result = await clawpulsar([...command, '--help']);

      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout).toContain('--stack <name>');
      expect(result.stdout).toContain('--profile <profile>');
    }
  });
});

describe('clawpulsar --stack', () => {
  it('creates a token and lists agents on the stack, every call signed with the operator’s credentials', async () => {
    // Act: the global option before the command word, then the command's own option after it.
    const created = await traffic(() =>
      clawpulsar(['--stack', 'demo', 'token', 'create', '--agent', 'stack-laptop', '--json']),
    );
    const listed = await traffic(() => clawpulsar(['agents', 'list', '--stack', 'demo', '--json']));

    // Assess: the answers
    expect(created.result.code, created.result.stderr).toBe(0);
    expect(created.result.json).toMatchObject({
      agentId: 'stack-laptop',
      token: expect.stringMatching(/^cpreg_/),
      // Agents register at the stack's public base (its RegistrationUrl without /v1/register).
      edgeUrl: edge.url,
    });
    expect(listed.result.code, listed.result.stderr).toBe(0);
    expect(listed.result.json).toEqual({
      agents: [expect.objectContaining({ agentId: 'stack-laptop', status: 'pending', online: false })],
    });

    // Assess: what crossed the wire
    for (const { describes } of [created, listed]) {
      expect(describes).toHaveLength(1);
      expect(describes[0]?.verdict).toEqual({ valid: true });
      expect(Object.fromEntries(describes[0]?.form ?? [])).toEqual({
        Action: 'DescribeStacks',
        StackName: 'demo',
        Version: '2010-05-15',
      });
    }
    expect(created.management.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/tokens']);
    expect(listed.management.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /v1/agents']);
    for (const request of [...created.management, ...listed.management]) {
      expect(request.verdict).toEqual({ valid: true });
      expect(request.headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDSTACKTEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, /,
      );
    }
    expect(JSON.parse(created.management[0]?.body.toString() ?? '')).toEqual({
      agentId: 'stack-laptop',
      ttlMinutes: 15,
    });
  });

  it('shows the stack’s state and its agents in status', async () => {
    const { result, management } = await traffic(() =>
      clawpulsar(['status', '--stack', 'demo', '--json', '--agent-dir', join(home, 'no-agent')]),
    );

    expect(result.code, result.stderr).toBe(0);
    expect(result.json).toMatchObject({
      edge: {
        url: edge.url,
        running: true,
        stack: { name: 'demo', region: REGION, status: 'UPDATE_COMPLETE' },
      },
      management: { available: true },
      agents: { total: expect.any(Number) },
    });
    expect(management.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'GET /v1/agents',
      'GET /v1/deliveries?limit=1000',
    ]);
    for (const request of management) expect(request.verdict).toEqual({ valid: true });
  });

  it('says in status why a stack can’t be managed, exit code 1', async () => {
    const result = await clawpulsar(['status', '--stack', 'nope', '--agent-dir', join(home, 'no-agent')]);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'stack       "nope": No stack "nope" in eu-west-1. Deploy it with `npx cdk deploy`, or check --stack and --region.',
    );
  });

  it('reads the stack from CLAWPULSAR_STACK', async () => {
    const { result, management } = await traffic(() =>
      clawpulsar(['deliveries', 'list', '--json'], { CLAWPULSAR_STACK: 'demo' }),
    );

    expect(result.code, result.stderr).toBe(0);
    expect(result.json).toEqual({ deliveries: [] });
    expect(management).toHaveLength(1);
    expect(management[0]?.verdict).toEqual({ valid: true });
  });

  it('registers an agent at the stack’s RegistrationUrl, and the agent’s config points at the tunnel it returned', async () => {
    // Prepare
    const dir = join(home, 'agent');
    const token = edge.issueToken('stack-agent');
    const sent = edge.registrationBodies.length;

    // Act
    const result = await clawpulsar([
      'agent',
      'register',
      '--stack',
      'demo',
      '--token',
      token,
      '--dir',
      dir,
      '--json',
    ]);

    // Assess
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
    expect(result.json).toMatchObject({ agentId: 'stack-agent', webhookBaseUrl: `${edge.url}/v1/hooks` });
    expect(edge.registrationBodies.length - sent).toBe(1);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({
      agentId: 'stack-agent',
      edgeUrl: edge.url,
      tunnel: { host: '127.0.0.1', port: edge.brokerPort, serverName: 'localhost' },
    });
  });

  it('records the stack in the agent’s config, so status and agent status need no --stack', async () => {
    // Prepare
    const dir = join(home, 'recorded-agent');
    const registered = await clawpulsar([
      'agent',
      'register',
      '--stack',
      'demo',
      '--token',
      edge.issueToken('recorded-agent'),
      '--dir',
      dir,
    ]);

    // Act
    const status = await traffic(() => clawpulsar(['status', '--agent-dir', dir, '--json']));
    const agentStatus = await clawpulsar(['agent', 'status', '--dir', dir, '--json']);
    const fromEnv = await clawpulsar(['status', '--agent-dir', dir, '--json'], { CLAWPULSAR_STACK: 'nope' });
    const explicit = await clawpulsar(['status', '--stack', 'nope', '--agent-dir', dir, '--json']);
    const local = await clawpulsar(['status', '--edge', 'http://127.0.0.1:1', '--agent-dir', dir, '--json']);

    // Assess
    expect(registered.code, registered.stderr).toBe(0);
    expect(registered.stdout).toContain('  stack                demo in eu-west-1\n');
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).stack).toEqual({
      name: 'demo',
      region: REGION,
    });
    expect(status.result.code, status.result.stderr).toBe(0);
    expect(status.result.json).toMatchObject({
      edge: { running: true, stack: { name: 'demo', region: REGION, status: 'UPDATE_COMPLETE' } },
      management: { available: true },
      thisAgent: { agentId: 'recorded-agent', dir },
    });
    expect(status.describes.map((d) => d.form.get('StackName'))).toEqual(['demo']);
    expect(status.management.every((r) => r.verdict.valid)).toBe(true);
    expect(agentStatus.json).toMatchObject({
      agentId: 'recorded-agent',
      stack: { name: 'demo', region: REGION },
    });
    expect(fromEnv.json).toMatchObject({ edge: { running: false, stack: { name: 'nope' } } });
    expect(explicit.json).toMatchObject({ edge: { running: false, stack: { name: 'nope' } } });
    expect(local.json).toMatchObject({ edge: { url: 'http://127.0.0.1:1', running: false } });
    expect(local.json).not.toHaveProperty('edge.stack');
  });

  it.each([
    [
      'a stack that is not deployed',
      ['--stack', 'nope', 'agents', 'list', '--json'],
      {},
      'stack_not_found',
      'No stack "nope" in eu-west-1. Deploy it with `npx cdk deploy`, or check --stack and --region.',
    ],
    [
      'a stack that is being updated',
      ['agents', 'list', '--stack', 'deploying', '--json'],
      {},
      'stack_not_ready',
      'Stack "deploying" in eu-west-1 is UPDATE_IN_PROGRESS, not ready to manage: wait for the running operation to finish, then try again.',
    ],
    [
      'credentials AWS refuses',
      ['--stack', 'demo', 'keys', 'list', '--json'],
      { AWS_SECRET_ACCESS_KEY: 'not-the-secret' },
      'aws_credentials_rejected',
      'AWS refused your credentials (SignatureDoesNotMatch): refresh them (`aws sso login`, new access keys) or use another --profile.',
    ],
    [
      'no credentials at all',
      ['--stack', 'demo', 'budget', 'list', '--json'],
      { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined },
      'aws_credentials_missing',
      expect.stringContaining(
        'Configure credentials: `aws configure` (or `aws sso login`), AWS_PROFILE, or --profile NAME.',
      ),
    ],
  ])('refuses %s with exit code 2 and what to do next', async (_case, args, env, code, message) => {
    const { result, management } = await traffic(() => clawpulsar(args, env));

    expect(result.code).toBe(2);
    expect(result.json).toEqual({ error: { code, message } });
    expect(management).toHaveLength(0);
    expect(result.stdout).not.toContain('not-the-secret');
  });

  it('is refused, exit code 2, by a command that cannot manage a stack', async () => {
    const { result, describes } = await traffic(() => clawpulsar(['--stack', 'demo', 'logs']));

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--stack is for commands that manage a stack; `clawpulsar logs` does not take it',
    );
    expect(describes).toHaveLength(0);
  });
});
