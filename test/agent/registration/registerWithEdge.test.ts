import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readAgentConfig, writeAgentConfig } from '../../../agent/config/agentConfigFile.ts';
import { withTunnelPort } from '../../../agent/config/editConfig.ts';
import { createTlsKeyAndCsr } from '../../../agent/credentials/createTlsKeyAndCsr.ts';
import { agentPaths } from '../../../agent/home/agentPaths.ts';
import { type RegisterOptions, registerWithEdge } from '../../../agent/registration/registerWithEdge.ts';
import { IOT_ALPN } from '../../../agent/tunnel/iotCoreEndpoint.ts';
import { makeCa, removeCa, type TestCa } from '../../support/opensslCa.ts';
import { type ScriptedResponse, startScriptedHttpServer } from '../../support/scriptedHttpServer.ts';
import { signAgentCsr } from '../../support/testCa.ts';
import { TestEdge } from '../../support/testEdge.ts';
import { tempAgentDir } from '../agentFixtures.ts';

const token = `cpreg_${'a'.repeat(43)}`;

describe('registerWithEdge against edges that misbehave', () => {
  let ca: TestCa;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(() => {
    ca = makeCa();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => removeCa(ca));

  async function edgeAnswering(respond: () => ScriptedResponse) {
    const server = await startScriptedHttpServer(respond);
    cleanups.push(() => server.close());
    const dir = tempAgentDir();
    cleanups.push(dir.remove);
    return { url: server.url, dir: dir.dir, requests: server.requests };
  }

  it.each([
    [
      401,
      {
        error: {
          code: 'registration_token_invalid',
          message: 'Registration token is unknown, expired or already used',
        },
      },
      /refused the token.*clawpulsar token create/,
    ],
    [
      400,
      { error: { code: 'invalid_registration', message: 'csrPem: too big' } },
      /refused the registration: csrPem: too big \(invalid_registration\)/,
    ],
    [503, '<html>bad gateway</html>', /failed to register the agent \(HTTP 503\); try again/],
    [200, { agentId: 'x' }, /unexpected registration response/],
    [200, 'not json', /unexpected registration response/],
  ])(
    'turns HTTP %i into an error that says what to do, and writes nothing',
    async (status, body, message) => {
      // Prepare
      const edge = await edgeAnswering(() => ({ status, body }));

      // Act
      const attempt = registerWithEdge({ dir: edge.dir, edgeUrl: edge.url, token });

      // Assess
      await expect(attempt).rejects.toThrow(message);
      expect(existsSync(edge.dir)).toBe(false);
    },
  );

  it('refuses a certificate that is not for the key it generated', async () => {
    // Prepare: the edge answers with a valid certificate, but for some other CSR's key.
    const foreign = signAgentCsr(ca, createTlsKeyAndCsr('x').csrPem, 'laptop');
    const edge = await edgeAnswering(() => ({
      status: 200,
      body: {
        agentId: 'laptop',
        certificatePem: foreign.certificatePem,
        caChainPem: ca.certPem,
        notAfter: foreign.notAfter,
        tunnel: { host: '127.0.0.1', port: 8883, serverName: 'localhost', serverCaPem: ca.certPem },
        webhookBaseUrl: 'http://127.0.0.1:1/v1/hooks',
      },
    }));

    // Act
    const attempt = registerWithEdge({ dir: edge.dir, edgeUrl: edge.url, token });

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'certificate_key_mismatch' });
    expect(existsSync(agentPaths(edge.dir).config)).toBe(false);
  });

  it('posts to {edge}/v1/register under the edge URL’s path', async () => {
    const edge = await edgeAnswering(() => ({ status: 401, body: {} }));
    await expect(
      registerWithEdge({ dir: edge.dir, edgeUrl: `${edge.url}/prod/?x=1#y`, token }),
    ).rejects.toThrow();
    expect(edge.requests[0]).toMatchObject({ method: 'POST', url: '/prod/v1/register' });
    expect(edge.requests[0]!.headers['content-type']).toBe('application/json');
  });

  it.each([
    ['ftp://127.0.0.1', /must be an https:\/\/ URL/],
    ['not a url', /must be an https:\/\/ URL/],
    ['https://user:pw@edge.example', /must be an https:\/\/ URL/],
    ['http://192.168.1.10:8787', /plain http on another machine/],
  ])('refuses the edge URL %s before sending anything', async (edgeUrl, message) => {
    const dir = tempAgentDir();
    cleanups.push(dir.remove);
    await expect(registerWithEdge({ dir: dir.dir, edgeUrl, token })).rejects.toThrow(message);
  });
});

describe('registerWithEdge: the stack and the IoT Core port', () => {
  const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
  const STACK = { name: 'ClawPulsar', region: 'eu-west-1' };
  let iotEdge: TestEdge;
  let localEdge: TestEdge;
  const cleanups: (() => void)[] = [];
  beforeAll(async () => {
    [iotEdge, localEdge] = await Promise.all([
      TestEdge.start({ announcedTunnel: { host: ENDPOINT, port: 8883, serverName: ENDPOINT } }),
      TestEdge.start(),
    ]);
  });
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  afterAll(async () => {
    await Promise.all([iotEdge?.close(), localEdge?.close()]);
  });

  function home(): string {
    const created = tempAgentDir();
    cleanups.push(created.remove);
    return created.dir;
  }

  function register(edge: TestEdge, dir: string, extra: Partial<RegisterOptions> = {}) {
    return registerWithEdge({ dir, edgeUrl: edge.url, token: edge.issueToken('laptop'), ...extra });
  }

  it('records the stack and takes IoT Core on 443 with ALPN when asked', async () => {
    // Prepare
    const dir = home();

    // Act
    const registered = await register(iotEdge, dir, { stack: STACK, tunnelPort: 443 });

    // Assess
    const config = readAgentConfig(agentPaths(dir));
    expect(config.stack).toEqual(STACK);
    expect(config.tunnel).toEqual({ host: ENDPOINT, port: 443, serverName: ENDPOINT, alpn: IOT_ALPN });
    expect(registered).toMatchObject({ tunnel: { host: ENDPOINT, port: 443, alpn: IOT_ALPN }, stack: STACK });
  });

  it("keeps the edge's own broker port when asked for another, and says where the agent connects", async () => {
    // Prepare
    const dir = home();

    // Act
    const registered = await register(localEdge, dir, { tunnelPort: 443 });

    // Assess
    expect(registered.tunnel).toEqual({ host: '127.0.0.1', port: localEdge.brokerPort });
    expect(readAgentConfig(agentPaths(dir)).tunnel).toEqual({
      host: '127.0.0.1',
      port: localEdge.brokerPort,
      serverName: 'localhost',
    });
    expect(registered.stack).toBeUndefined();
  });

  it('registering again with --force keeps the stack, the port chosen for this network and the alert action', async () => {
    // Prepare
    const dir = home();
    await register(iotEdge, dir, { stack: STACK });
    const paths = agentPaths(dir);
    const first = readAgentConfig(paths);
    writeAgentConfig(paths, withTunnelPort({ ...first, alerts: { ...first.alerts, action: 'none' } }, 443));

    // Act
    await register(iotEdge, dir, { force: true });

    // Assess
    const again = readAgentConfig(paths);
    expect(again.stack).toEqual(STACK);
    expect(again.tunnel).toEqual({ host: ENDPOINT, port: 443, serverName: ENDPOINT, alpn: IOT_ALPN });
    expect(again.alerts.action).toBe('none');
  });

  it('registering again with an explicit port, or with another edge, follows what it is told', async () => {
    // Prepare
    const dir = home();
    await register(iotEdge, dir, { stack: STACK, tunnelPort: 443 });

    // Act
    await register(iotEdge, dir, { force: true, tunnelPort: 8883 });
    const backTo8883 = readAgentConfig(agentPaths(dir));
    await register(localEdge, dir, { force: true });
    const elsewhere = readAgentConfig(agentPaths(dir));

    // Assess
    expect(backTo8883.tunnel).toEqual({ host: ENDPOINT, port: 8883, serverName: ENDPOINT });
    expect(backTo8883.stack).toEqual(STACK);
    expect(elsewhere.stack).toBeUndefined();
    expect(elsewhere.tunnel.port).toBe(localEdge.brokerPort);
  });
});
