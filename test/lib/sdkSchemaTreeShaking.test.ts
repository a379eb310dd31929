import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inlineSchemaKeys, sdkSchemaTreeShaking } from '../../lib/sdkSchemaTreeShaking.ts';
import { LOCAL_AWS, type LocalDynamo, startLocalDynamo } from '../support/localDynamo.ts';

const run = promisify(execFile);

/** A program that puts, gets and conditionally re-puts an item in dynalite, reporting what came back and what was thrown. */

const DYNAMODB_ROUND_TRIP = `
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({ region: ${JSON.stringify(LOCAL_AWS.region)}, credentials: ${JSON.stringify(LOCAL_AWS.credentials)}, endpoint: process.env.ENDPOINT });
const TableName = process.env.TABLE;
const Item = { agentId: { S: process.env.AGENT_ID }, status: { S: 'active' }, keys: { L: [{ N: '1' }, { B: new Uint8Array([1, 2, 3]) }] } };
await client.send(new PutItemCommand({ TableName, Item }));
const got = await client.send(new GetItemCommand({ TableName, Key: { agentId: { S: process.env.AGENT_ID } }, ConsistentRead: true }));
let error;
try {
  await client.send(new PutItemCommand({ TableName, Item, ConditionExpression: 'attribute_not_exists(agentId)' }));
} catch (thrown) {
  error = thrown;
}
client.destroy();
process.stdout.write(JSON.stringify({
  item: got.Item,
  error: error && { name: error.name, modeled: error instanceof ConditionalCheckFailedException, fault: error.$fault },
}));
`;

/**
 * A program that sends three IoT Core commands (REST with HTTP bindings: method, path, query and body come
 * from the schemas' `http` traits) to a request handler that records each request and answers it: two
 * successes, then a modeled 404. Reports the requests, the first output and the error.
 */
const IOT_ROUND_TRIP = `
import { AttachPolicyCommand, IoTClient, RegisterCertificateCommand, ResourceNotFoundException, UpdateCertificateCommand } from '@aws-sdk/client-iot';
const sent = [];
const replies = [
  [200, { certificateArn: 'arn:aws:iot:eu-west-1:123456789012:cert/abc', certificateId: 'abc' }],
  [200, {}],
  [404, { message: 'no such certificate' }, { 'x-amzn-errortype': 'ResourceNotFoundException' }],
];
const requestHandler = {
  async handle(request) {
    const body = typeof request.body === 'string' || request.body === undefined ? request.body : new TextDecoder().decode(request.body);
    sent.push({ method: request.method, path: request.path, query: request.query, contentType: request.headers['content-type'], body });
    const [statusCode, reply, headers = {}] = replies[sent.length - 1];
    return { response: { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: new TextEncoder().encode(JSON.stringify(reply)) } };
  },
};
const iot = new IoTClient({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local' }, requestHandler });
const { $metadata, ...registered } = await iot.send(new RegisterCertificateCommand({ certificatePem: 'PEM', caCertificatePem: 'CA', status: 'ACTIVE' }));
await iot.send(new AttachPolicyCommand({ policyName: 'clawpulsar-agent', target: registered.certificateArn }));
let error;
try {
  await iot.send(new UpdateCertificateCommand({ certificateId: 'abc', newStatus: 'INACTIVE' }));
} catch (thrown) {
  error = thrown;
}
process.stdout.write(JSON.stringify({ sent, registered, error: { name: error?.name, modeled: error instanceof ResourceNotFoundException, message: error?.message } }));
`;

/** Bundles a program from the project's node_modules, with or without the plugin. */
async function bundle(program: string, outfile: string, plugins: boolean): Promise<Metafile> {
  const { metafile } = await build({
    stdin: { contents: program, resolveDir: resolve('.'), loader: 'js', sourcefile: 'program.mjs' },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    metafile: true,
    logLevel: 'error',
    plugins: plugins ? [sdkSchemaTreeShaking()] : [],
  });
  return metafile;
}

/** Bytes of the given schema module in the bundle. */
function schemaBytes(metafile: Metafile, schemas: string): number {
  return Object.values(metafile.outputs).reduce(
    (sum, output) =>
      sum +
      Object.entries(output.inputs)
        .filter(([input]) => input.endsWith(schemas))
        .reduce((bytes, [, input]) => bytes + input.bytesInOutput, 0),
    0,
  );
}

describe('inlineSchemaKeys', () => {
  it('writes the string constant behind each computed key into the key', () => {
    // Prepare
    const source = [
      'const _h = "http";',
      'const _xN = "x-amz-\\"quoted\\"";',
      'export var A$ = [9, n0, _A, { [_h]: ["GET", "/a", 200], [_xN]: 1 }, () => B$];',
    ].join('\n');

    // Act
    const inlined = inlineSchemaKeys(source);

    // Assess
    expect(inlined).toBe(
      [
        'const _h = "http";',
        'const _xN = "x-amz-\\"quoted\\"";',
        'export var A$ = [9, n0, _A, { ["http"]: ["GET", "/a", 200], ["x-amz-\\"quoted\\""]: 1 }, () => B$];',
      ].join('\n'),
    );
  });

  it('leaves a computed key that names no string constant of the module as it is', () => {
    // Prepare
    const source =
      'import { _h } from "./names";\nconst _n = 0;\nexport var A$ = [{ [_h]: 1 }, { [_n]: 2 }];';

    // Act
    const inlined = inlineSchemaKeys(source);

    // Assess
    expect(inlined).toBe(source);
  });

  it('changes nothing in a module where a constant could mean something else somewhere', () => {
    // Prepare
    const key = 'const _h = "http";\nexport var A$ = [{ [_h]: 1 }];\n';
    const shadowing = [
      `${key}function f(_h) { return { [_h]: 2 }; }`,
      `${key}export var g = (_h) => ({ [_h]: 2 });`,
      `${key}export var g = _h => ({ [_h]: 2 });`,
      `${key}try { x(); } catch (_h) { y({ [_h]: 2 }); }`,
      `${key}{ let _h = "other"; z({ [_h]: 2 }); }`,
      `${key}{ const { _h } = w; z({ [_h]: 2 }); }`,
      `${key}class C { m(_h) { return { [_h]: 2 }; } }`,
    ];

    for (const source of shadowing) {
      // Act
      const inlined = inlineSchemaKeys(source);

      // Assess
      expect(inlined, source).toBe(source);
    }
  });

  it('inlines every key of every schema module the SDK clients in node_modules ship', () => {
    for (const client of ['client-dynamodb', 'client-iot', 'client-kms', 'client-s3', 'client-sqs']) {
      // Prepare
      const source = readFileSync(`node_modules/@aws-sdk/${client}/dist-es/schemas/schemas_0.js`, 'utf8');

      // Act
      const inlined = inlineSchemaKeys(source);

      // Assess
      expect(source.match(/\[[A-Za-z_$][\w$]*\]:/g)?.length ?? 0, client).toBeGreaterThan(0);
      expect(inlined.match(/\[[A-Za-z_$][\w$]*\]:/g), client).toBeNull();
    }
  });
});

describe('sdkSchemaTreeShaking', () => {
  let dir: string;
  let dynamo: LocalDynamo;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sdk-schemas-'));
    dynamo = await startLocalDynamo();
  });
  afterAll(async () => {
    await dynamo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('bundles an IoT Core client that sends the same requests and reads the same answers and errors as without it, with a tenth of its schemas', async () => {
    // Prepare
    const shaken = join(dir, 'iot-shaken.mjs');
    const plain = join(dir, 'iot-plain.mjs');
    const [shakenMeta, plainMeta] = await Promise.all([
      bundle(IOT_ROUND_TRIP, shaken, true),
      bundle(IOT_ROUND_TRIP, plain, false),
    ]);
    const env = { PATH: process.env.PATH };

    // Act
    const withPlugin = await run(process.execPath, [shaken], { env });
    const without = await run(process.execPath, [plain], { env });

    // Assess
    expect(JSON.parse(withPlugin.stdout)).toEqual(JSON.parse(without.stdout));
    expect(JSON.parse(withPlugin.stdout)).toEqual({
      sent: [
        {
          method: 'POST',
          path: '/certificate/register',
          query: {},
          contentType: 'application/json',
          body: '{"certificatePem":"PEM","caCertificatePem":"CA","status":"ACTIVE"}',
        },
        {
          method: 'PUT',
          path: '/target-policies/clawpulsar-agent',
          query: {},
          contentType: 'application/json',
          body: '{"target":"arn:aws:iot:eu-west-1:123456789012:cert/abc"}',
        },
        { method: 'PUT', path: '/certificates/abc', query: { newStatus: 'INACTIVE' } },
      ],
      registered: { certificateArn: 'arn:aws:iot:eu-west-1:123456789012:cert/abc', certificateId: 'abc' },
      error: { name: 'ResourceNotFoundException', modeled: true, message: 'no such certificate' },
    });
    const schemas = '@aws-sdk/client-iot/dist-es/schemas/schemas_0.js';
    expect(schemaBytes(shakenMeta, schemas)).toBeGreaterThan(0);
    expect(schemaBytes(shakenMeta, schemas)).toBeLessThan(schemaBytes(plainMeta, schemas) / 10);
  });

  it('bundles a DynamoDB client that writes, reads and maps a modeled error against dynalite as without it', async () => {
    // Prepare
    const shaken = join(dir, 'dynamodb-shaken.mjs');
    const plain = join(dir, 'dynamodb-plain.mjs');
    await Promise.all([bundle(DYNAMODB_ROUND_TRIP, shaken, true), bundle(DYNAMODB_ROUND_TRIP, plain, false)]);
    const env = { PATH: process.env.PATH, ENDPOINT: dynamo.endpoint, TABLE: dynamo.tables.agents };
    const expected = (agentId: string) => ({
      item: {
        agentId: { S: agentId },
        status: { S: 'active' },
        keys: { L: [{ N: '1' }, { B: { 0: 1, 1: 2, 2: 3 } }] },
      },
      error: { name: 'ConditionalCheckFailedException', modeled: true, fault: 'client' },
    });

    // Act
    const withPlugin = await run(process.execPath, [shaken], { env: { ...env, AGENT_ID: 'shaken' } });
    const without = await run(process.execPath, [plain], { env: { ...env, AGENT_ID: 'plain' } });

    // Assess
    expect(JSON.parse(without.stdout)).toEqual(expected('plain'));
    expect(JSON.parse(withPlugin.stdout)).toEqual(expected('shaken'));
  });
});
