import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagementClient, ManagementError } from '../../../bin/cli/ManagementClient.ts';
import { sigV4Target } from '../../../bin/cli/sigV4Target.ts';
import { SigV4ManagementApi } from '../../support/sigV4ManagementApi.ts';
import { verifySigV4 } from '../../support/sigV4Oracle.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'FwoGZXIvYXdzEXAMPLE//session+token=',
};
const EXPECTED = { ...CREDENTIALS, region: 'eu-west-1', service: 'execute-api' };

let api: SigV4ManagementApi;
beforeAll(async () => {
  api = await SigV4ManagementApi.start(EXPECTED);
});
afterAll(async () => {
  await api.close();
});

function client(credentials: typeof CREDENTIALS = CREDENTIALS, region = 'eu-west-1') {
  return new ManagementClient(
    sigV4Target({
      url: api.url,
      edgeUrl: 'https://hooks.example.com',
      region,
      credentials: async () => credentials,
      label: 'stack "demo" in eu-west-1',
    }),
  );
}

/** The requests the API received while `act` ran. */
async function received(act: () => Promise<unknown>) {
  const from = api.requests.length;
  await act();
  return api.requests.slice(from);
}

describe('sigV4Target', () => {
  it('signs a GET with a query so that an independent SigV4 implementation derives the same signature', async () => {
    // Act
    const [request] = await received(() => client().request('GET', '/v1/deliveries?limit=5&agentId=laptop'));

    // Assess
    expect(request?.verdict).toEqual({ valid: true });
    expect(request?.url).toBe('/v1/deliveries?limit=5&agentId=laptop');
    expect(request?.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });

  it('signs a mutating call over its exact body bytes, and the real management router answers it', async () => {
    // Act
    let created: { agentId?: string; token?: string } = {};
    const [request] = await received(async () => {
      created = await client().request('POST', '/v1/tokens', { agentId: 'laptop', ttlMinutes: 5 });
    });

    // Assess
    expect(request?.verdict).toEqual({ valid: true });
    expect(request?.body.toString()).toBe('{"agentId":"laptop","ttlMinutes":5}');
    expect(request?.headers['x-amz-content-sha256']).toBe(
      createHash('sha256')
        .update(request?.body ?? '')
        .digest('hex'),
    );
    expect(request?.headers.authorization).toContain(
      'SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,',
    );
    expect(created.agentId).toBe('laptop');
    expect(created.token).toMatch(/^cpreg_/);
  });

  it('the oracle refuses the same request once one body byte is changed', async () => {
    // Prepare
    const [request] = await received(() =>
      client().send('PUT', '/v1/agents/laptop/sources/gh', {
        bytes: Buffer.from(JSON.stringify({ provider: 'github', secret: 'x'.repeat(20) })),
        contentType: 'application/json',
      }),
    );
    const tampered = Buffer.from(request?.body ?? '');
    const at = tampered.length - 2;
    tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);

    // Act
    const verdict = verifySigV4({ ...request!, body: tampered }, EXPECTED);

    // Assess
    expect(request?.verdict).toEqual({ valid: true });
    expect(verdict).toEqual({ valid: false, reason: 'signature does not match' });
  });

  it.each([
    ['another secret', { ...EXPECTED, secretAccessKey: 'another-secret' }],
    ['another region', { ...EXPECTED, region: 'us-east-1' }],
    ['another session token', { ...EXPECTED, sessionToken: 'another-token' }],
  ])('the oracle refuses the request when checked with %s', async (_case, expectation) => {
    const [request] = await received(() => client().request('GET', '/v1/agents'));

    expect(request?.verdict).toEqual({ valid: true });
    expect(verifySigV4(request!, expectation).valid).toBe(false);
  });

  it('the oracle refuses a changed path or query', async () => {
    const [request] = await received(() => client().request('GET', '/v1/deliveries?limit=5'));

    expect(verifySigV4({ ...request!, url: '/v1/deliveries?limit=6' }, EXPECTED).valid).toBe(false);
    expect(verifySigV4({ ...request!, url: '/v1/agents?limit=5' }, EXPECTED).valid).toBe(false);
    expect(verifySigV4({ ...request!, method: 'DELETE' }, EXPECTED).valid).toBe(false);
  });

  it('reports API Gateway’s refusal of a wrong signature with the permission to check', async () => {
    // Act
    const error = await client({ ...CREDENTIALS, secretAccessKey: 'wrong' })
      .request('GET', '/v1/agents')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ManagementError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden' });
    expect((error as Error).message).toContain(
      'your AWS identity needs execute-api:Invoke on the management routes of stack "demo" in eu-west-1',
    );
    expect((error as Error).message).not.toContain('wrong');
  });

  // Not `__proto__`: aws4 drops it from the canonical query and the SDK's signer garbles it (plain-object
  // maps in both). The CLI never sends such a parameter.
  it('signs repeated query parameters and ones named like object properties', async () => {
    const path = '/v1/deliveries?constructor=&hasOwnProperty=x&status=failed&status=expired&toString=1';

    const [request] = await received(() => client().send('GET', path));

    expect(request?.url).toBe(path);
    expect(request?.verdict).toEqual({ valid: true });
  });

  it('signs any path, query and JSON body the way the independent implementation does', async () => {
    const segment = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.dictionary(
          segment.filter((name) => name !== '__proto__'),
          fc.string({ unit: 'grapheme', maxLength: 12 }),
          { maxKeys: 3 },
        ),
        fc.jsonValue(),
        async (method, segments, query, body) => {
          const search = Object.entries(query)
            .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
            .join('&');
          const path = `/v1/${segments.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`;
          const sent = method === 'GET' || method === 'DELETE' ? undefined : body;

          const [request] = await received(() =>
            client().send(
              method,
              path,
              sent === undefined
                ? undefined
                : {
                    bytes: Buffer.from(JSON.stringify(sent)),
                    contentType: 'application/json',
                  },
            ),
          );

          expect(request?.verdict).toEqual({ valid: true });
        },
      ),
      { numRuns: 60 },
    );
  });
});
