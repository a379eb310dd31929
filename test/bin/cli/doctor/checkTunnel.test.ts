import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../../../../agent/config/agentConfig.ts';
import type { AgentCredentials } from '../../../../agent/credentials/AgentCredentials.ts';
import { agentPaths } from '../../../../agent/home/agentPaths.ts';
import { IOT_ALPN } from '../../../../agent/tunnel/iotCoreEndpoint.ts';
import { checkTunnel, type TunnelCheckOptions } from '../../../../bin/cli/doctor/checkTunnel.ts';
import { type AgentHomeInput, writeAgentHome } from '../../../support/agentHomeFiles.ts';
import {
  closedPort,
  type IotCoreStandIn,
  type SilentPort,
  startIotCoreStandIn,
  startSilentPort,
} from '../../../support/iotCoreStandIn.ts';
import {
  issueServer,
  makeCa,
  removeCa,
  type TestCa,
  type TestCertificate,
} from '../../../support/opensslCa.ts';

/** As the register function answers: the ATS endpoint, SNI always, Amazon Root CA 1. */
const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
const EDGE_URL = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
const FAST = { timeoutMs: 400, verdictMs: 200, env: {} } satisfies TunnelCheckOptions;

let root: string;
let amazonRoot: TestCa;
let issuingCa: TestCa;
let foreignCa: TestCa;
let server: TestCertificate;
let iot: IotCoreStandIn;
let iotAlpn: IotCoreStandIn;
let silent: SilentPort;
let localBroker: Server;
let homes = 0;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cp-tunnel-'));
  amazonRoot = makeCa('Amazon Root CA 1 stand-in');
  issuingCa = makeCa('ClawPulsar issuing CA');
  foreignCa = makeCa('Another stack');
  server = issueServer(amazonRoot, [ENDPOINT, 'localhost']);
  [iot, iotAlpn, silent] = await Promise.all([
    startIotCoreStandIn({ endpoint: ENDPOINT, server, registeredCa: issuingCa }),
    startIotCoreStandIn({ endpoint: ENDPOINT, server, registeredCa: issuingCa, alpn: IOT_ALPN }),
    startSilentPort(),
  ]);
  localBroker = createServer({
    key: server.keyPem,
    cert: server.certPem,
    ca: issuingCa.certPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  await new Promise<void>((resolve) => localBroker.listen(0, '127.0.0.1', resolve));
}, 30_000);

afterAll(async () => {
  await Promise.all([iot?.close(), iotAlpn?.close(), silent?.close()]);
  await new Promise<void>((resolve) => localBroker?.close(() => resolve()));
  for (const ca of [amazonRoot, issuingCa, foreignCa]) if (ca) removeCa(ca);
  rmSync(root, { recursive: true, force: true });
});

/** An agent home as `agent register --stack` leaves it, its tunnel on a loopback port standing in for IoT Core. */
function stackAgent(
  tunnel: Partial<AgentHomeInput['tunnel']> & { port: number },
  extra: Partial<AgentHomeInput> = {},
): { config: AgentConfig; credentials: AgentCredentials; configPath: string; dir: string } {
  const dir = join(root, `agent-${++homes}`);
  const home = writeAgentHome(dir, {
    agentId: 'laptop',
    edgeUrl: EDGE_URL,
    tunnel: { host: '127.0.0.1', serverName: ENDPOINT, ...tunnel },
    issuingCa,
    serverCaPem: amazonRoot.certPem,
    ...extra,
  });
  return { ...home, configPath: agentPaths(dir).config, dir };
}

describe('checkTunnel for an agent registered with a deployed stack (IoT Core)', () => {
  it('is ok when IoT Core completes mutual TLS and keeps the certificate', async () => {
    // Prepare
    const { config, credentials } = stackAgent({ port: iot.port });

    // Act
    const result = await checkTunnel(config, credentials, FAST);

    // Assess
    expect(result).toEqual({
      id: 'tunnel',
      level: 'ok',
      message: `Mutual TLS with the tunnel at 127.0.0.1:${iot.port} (IoT Core, TLSv1.3)`,
    });
  });

  it('is ok on the 443 listener with ALPN x-amzn-mqtt-ca, and says so', async () => {
    // Prepare
    const { config, credentials } = stackAgent({ port: iotAlpn.port, alpn: IOT_ALPN });

    // Act
    const result = await checkTunnel(config, credentials, FAST);

    // Assess
    expect(result).toEqual({
      id: 'tunnel',
      level: 'ok',
      message: `Mutual TLS with the tunnel at 127.0.0.1:${iotAlpn.port} (IoT Core, TLSv1.3, ALPN x-amzn-mqtt-ca)`,
    });
  });

  it('fails when the MQTT port gets no answer but 443 with ALPN does, and names the command that switches the agent', async () => {
    // Prepare: the silent port plays a firewall dropping 8883; the ALPN listener plays IoT Core's 443.
    const { config, credentials, configPath, dir } = stackAgent({ port: silent.port });

    // Act
    const result = await checkTunnel(config, credentials, {
      ...FAST,
      configPath,
      agentDir: dir,
      alpnPort: iotAlpn.port,
    });

    // Assess
    expect(result).toEqual({
      id: 'tunnel',
      level: 'fail',
      message: `No TLS answer from the tunnel at 127.0.0.1:${silent.port} within 0.4 s, but IoT Core accepts this agent on port ${iotAlpn.port} with ALPN x-amzn-mqtt-ca`,
      fix: `This network blocks outbound port ${silent.port}: switch the agent to port 443 with \`clawpulsar agent tunnel set --port 443 --dir ${dir}\` (it asks for ALPN x-amzn-mqtt-ca; a running agent reconnects there by itself)`,
    });
  });

  it('leaves --dir out of the command for the default agent home', async () => {
    // Prepare
    const { config, credentials, dir } = stackAgent({ port: silent.port });

    // Act
    const result = await checkTunnel(config, credentials, {
      ...FAST,
      agentDir: dir,
      env: { CLAWPULSAR_AGENT_DIR: dir },
      alpnPort: iotAlpn.port,
    });

    // Assess
    expect(result.fix).toContain('with `clawpulsar agent tunnel set --port 443` (it asks for ALPN');
  });

  it('names the stack the agent registered with in its advice, before $CLAWPULSAR_STACK', async () => {
    // Prepare: closed ports play a firewall that rejects both.
    const [mqtt, https] = [await closedPort(), await closedPort()];
    const { config, credentials } = stackAgent({ port: mqtt });
    const recorded = { ...config, stack: { name: 'Relay-Prod', region: 'eu-west-1' } };

    // Act
    const result = await checkTunnel(recorded, credentials, {
      ...FAST,
      env: { CLAWPULSAR_STACK: 'other' },
      alpnPort: https,
    });

    // Assess
    expect(result.fix).toContain('`clawpulsar status --stack Relay-Prod --region eu-west-1`');
  });

  it('fails when neither port answers, naming both and the stack to check', async () => {
    // Prepare: closed ports play a firewall that rejects them.
    const [mqtt, https] = [await closedPort(), await closedPort()];
    const { config, credentials } = stackAgent({ port: mqtt });

    // Act
    const result = await checkTunnel(config, credentials, { ...FAST, alpnPort: https });

    // Assess
    expect(result).toEqual({
      id: 'tunnel',
      level: 'fail',
      message: `TLS to the tunnel at 127.0.0.1:${mqtt} failed (ECONNREFUSED), nor on port ${https} with ALPN x-amzn-mqtt-ca`,
      fix: `Allow outbound TCP to 127.0.0.1 on port ${mqtt} or ${https} (a firewall or proxy blocks both; HTTP proxies can't carry MQTT); \`clawpulsar status --stack NAME --region eu-west-1\` (where AWS credentials are at hand) shows whether the stack is up`,
    });
  });

  it('fails a certificate IoT Core no longer knows, although TLS 1.3 completed the handshake, with how to register again', async () => {
    // Prepare
    const { config, credentials } = stackAgent({ port: iot.port }, { certificateFrom: foreignCa });

    // Act
    const result = await checkTunnel(config, credentials, { ...FAST, env: { CLAWPULSAR_STACK: 'prod' } });

    // Assess
    expect(result.level).toBe('fail');
    expect(result.message).toMatch(
      new RegExp(`^The tunnel at 127\\.0\\.0\\.1:${iot.port} refused this agent's certificate \\(.+\\)$`),
    );
    expect(result.fix).toBe(
      'IoT Core no longer accepts this certificate: revoked, expired or removed with its agent (check `clawpulsar agents list --stack prod --region eu-west-1`). ' +
        'Register again with a new token: `clawpulsar token create --stack prod --region eu-west-1 --agent laptop` where AWS credentials are at hand, ' +
        `then here \`clawpulsar agent register --force --edge ${EDGE_URL} --token T\``,
    );
  });

  it('says both problems when 8883 is blocked and IoT Core refuses the certificate on 443', async () => {
    // Prepare
    const { config, credentials, configPath } = stackAgent(
      { port: silent.port },
      { certificateFrom: foreignCa },
    );

    // Act
    const result = await checkTunnel(config, credentials, { ...FAST, configPath, alpnPort: iotAlpn.port });

    // Assess
    expect(result.level).toBe('fail');
    expect(result.message).toContain(
      `on port ${iotAlpn.port} with ALPN x-amzn-mqtt-ca, IoT Core refused this agent's certificate`,
    );
    expect(result.fix).toContain('`clawpulsar token create --stack NAME --region eu-west-1 --agent laptop`');
    expect(result.fix).toContain(
      'then switch the agent to port 443 with `clawpulsar agent tunnel set --port 443` (it asks for ALPN x-amzn-mqtt-ca',
    );
  });

  it('fails a server certificate that does not chain to the CA registration delivered (TLS interception)', async () => {
    // Prepare
    const { config, credentials } = stackAgent({ port: iot.port }, { serverCaPem: foreignCa.certPem });

    // Act
    const result = await checkTunnel(config, credentials, FAST);

    // Assess
    expect(result.level).toBe('fail');
    expect(result.message).toBe(
      `The tunnel at 127.0.0.1:${iot.port} presented a certificate the agent does not trust (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`,
    );
    expect(result.fix).toMatch(
      /^IoT Core's certificate does not verify against the agent's server-ca\.pem: something on this network intercepts TLS/,
    );
  });

  it('fails port 443 without ALPN before connecting: there IoT Core speaks HTTPS, not MQTT', async () => {
    // Prepare
    const { config, credentials, configPath } = stackAgent({ port: 443 });

    // Act
    const result = await checkTunnel(config, credentials, { ...FAST, configPath });

    // Assess
    expect(result).toEqual({
      id: 'tunnel',
      level: 'fail',
      message: "The tunnel is set to IoT Core's port 443 without ALPN, where IoT Core speaks HTTPS, not MQTT",
      fix: 'IoT Core takes MQTT on 443 only with ALPN "x-amzn-mqtt-ca": `clawpulsar agent tunnel set --port 443` sets it (or `clawpulsar agent tunnel set --port 8883` for IoT Core\'s MQTT port); a running agent reconnects by itself',
    });
  });

  it('fails an ALPN protocol the 443 listener does not take, with the one it does', async () => {
    // Prepare
    const { config, credentials, configPath } = stackAgent({ port: iotAlpn.port, alpn: 'mqtt' });

    // Act
    const result = await checkTunnel(config, credentials, { ...FAST, configPath });

    // Assess
    expect(result.message).toBe(
      `The tunnel at 127.0.0.1:${iotAlpn.port} did not take the agent's ALPN protocol "mqtt"`,
    );
    expect(result.fix).toContain('`clawpulsar agent tunnel set --port 443` sets it');
  });

  it('fails an endpoint that does not resolve without trying another port, pointing at DNS and the stack', async () => {
    // Prepare
    const { config, credentials } = stackAgent({
      port: iot.port,
      host: 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.invalid',
    });

    // Act
    const result = await checkTunnel(config, credentials, { ...FAST, alpnPort: iotAlpn.port });

    // Assess
    expect(result.level).toBe('fail');
    expect(result.message).toMatch(/failed \((ENOTFOUND|EAI_AGAIN)\)$/);
    expect(result.fix).toBe(
      "The IoT Core endpoint does not resolve: check this machine's DNS; if the stack was deleted, `clawpulsar status --stack NAME --region eu-west-1` (where AWS credentials are at hand) says so",
    );
  });
});

describe('checkTunnel for an agent of a local edge', () => {
  function localAgent(port: number, extra: Partial<AgentHomeInput> = {}) {
    const dir = join(root, `agent-${++homes}`);
    return writeAgentHome(dir, {
      agentId: 'laptop',
      edgeUrl: 'http://127.0.0.1:7700',
      tunnel: { host: '127.0.0.1', port, serverName: 'localhost' },
      issuingCa,
      serverCaPem: amazonRoot.certPem,
      ...extra,
    });
  }

  it('is ok with the broker, and fails a certificate it refuses after the TLS 1.3 handshake', async () => {
    // Prepare
    const port = (localBroker.address() as AddressInfo).port;
    const good = localAgent(port);
    const foreign = localAgent(port, { certificateFrom: foreignCa });

    // Act
    const ok = await checkTunnel(good.config, good.credentials, FAST);
    const refused = await checkTunnel(foreign.config, foreign.credentials, FAST);

    // Assess
    expect(ok).toEqual({
      id: 'tunnel',
      level: 'ok',
      message: `Mutual TLS with the tunnel at 127.0.0.1:${port} (TLSv1.3)`,
    });
    expect(refused.level).toBe('fail');
    expect(refused.fix).toBe(
      "The edge no longer accepts this certificate: revoked, expired, or the edge's data was reset. Register again: `clawpulsar onboard --force`",
    );
  });

  it('says to start the edge when nothing listens, and tries no other port', async () => {
    // Prepare
    const port = await closedPort();
    const { config, credentials } = localAgent(port);

    // Act
    const result = await checkTunnel(config, credentials, { ...FAST, alpnPort: iotAlpn.port });

    // Assess
    expect(result).toEqual({
      id: 'tunnel',
      level: 'fail',
      message: `TLS to the tunnel at 127.0.0.1:${port} failed (ECONNREFUSED)`,
      fix: 'Nothing listens there: start the edge (`clawpulsar dev`)',
    });
  });
});
