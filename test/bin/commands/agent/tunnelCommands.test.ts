import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPaths } from '../../../../agent/home/agentPaths.ts';
import { writeAgentHome } from '../../../support/agentHomeFiles.ts';
import { CLI, CliProcess } from '../../../support/cliProcess.ts';
import {
  type IotCoreStandIn,
  type SilentPort,
  startIotCoreStandIn,
  startSilentPort,
} from '../../../support/iotCoreStandIn.ts';
import { issueServer, makeCa, removeCa, type TestCa } from '../../../support/opensslCa.ts';
import { runCommand } from '../../../support/runCommand.ts';

/**
 * `clawpulsar agent tunnel set|show` through the built CLI, and a running `clawpulsar agent run` moving
 * to the port it sets. IoT Core is played by openssl s_server with the endpoint's certificate, the
 * registered CA and, on port 443, ALPN `x-amzn-mqtt-ca`; the blocked 8883 by a port that never answers.
 * Both listen on a loopback address of this file's own, so port 443 is free there.
 */
const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
const EDGE_URL = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com';
const HOST = `127.${(process.pid % 200) + 20}.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;

let root: string;
let amazonRoot: TestCa;
let issuingCa: TestCa;
let homes = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cp-agent-tunnel-'));
  amazonRoot = makeCa('Amazon Root CA 1 stand-in');
  issuingCa = makeCa('ClawPulsar issuing CA');
});
afterAll(() => {
  for (const ca of [amazonRoot, issuingCa]) if (ca) removeCa(ca);
  rmSync(root, { recursive: true, force: true });
});

/** The built CLI with nothing from this machine's ClawPulsar setup; stdout parsed when it is JSON. */
async function clawpulsar(...args: string[]) {
  const result = await runCommand(process.execPath, [CLI, ...args], {
    timeoutMs: 20_000,
    env: { HOME: root, CLAWPULSAR_AGENT_DIR: undefined, CLAWPULSAR_STACK: undefined },
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

/** An agent home as `agent register --stack` leaves it (IoT Core's endpoint as the tunnel) unless told otherwise. */
function agentHome(tunnel: { host?: string; port?: number; serverName?: string; alpn?: string } = {}): {
  dir: string;
  configPath: string;
} {
  const dir = join(root, `agent-${++homes}`);
  writeAgentHome(dir, {
    agentId: 'laptop',
    edgeUrl: EDGE_URL,
    tunnel: { host: ENDPOINT, port: 8883, serverName: ENDPOINT, ...tunnel },
    issuingCa,
    serverCaPem: amazonRoot.certPem,
  });
  return { dir, configPath: agentPaths(dir).config };
}

function tunnelIn(configPath: string): unknown {
  return (JSON.parse(readFileSync(configPath, 'utf8')) as { tunnel: unknown }).tunnel;
}

describe('clawpulsar agent tunnel', () => {
  it('moves an IoT Core tunnel to 443 with ALPN x-amzn-mqtt-ca and back to 8883', async () => {
    // Prepare
    const { dir, configPath } = agentHome();

    // Act
    const to443 = await clawpulsar('agent', 'tunnel', 'set', '--port', '443', '--dir', dir, '--json');
    const on443 = tunnelIn(configPath);
    const back = await clawpulsar('agent', 'tunnel', 'set', '--port', '8883', '--dir', dir);
    const on8883 = tunnelIn(configPath);

    // Assess
    expect(to443.code, to443.stderr).toBe(0);
    expect(to443.json).toEqual({
      tunnel: { host: ENDPOINT, port: 443, serverName: ENDPOINT, alpn: 'x-amzn-mqtt-ca', iotCore: true },
      changed: true,
    });
    expect(on443).toEqual({ host: ENDPOINT, port: 443, serverName: ENDPOINT, alpn: 'x-amzn-mqtt-ca' });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toBe(
      `Tunnel: IoT Core at ${ENDPOINT}:8883. A running agent reconnects there within a few seconds (\`clawpulsar doctor\` checks the path).\n`,
    );
    expect(on8883).toEqual({ host: ENDPOINT, port: 8883, serverName: ENDPOINT });
  });

  it('says when the tunnel is already there, and leaves the file alone', async () => {
    // Prepare
    const { dir, configPath } = agentHome();
    const before = readFileSync(configPath, 'utf8');

    // Act
    const result = await clawpulsar('agent', 'tunnel', 'set', '--port', '8883', '--dir', dir, '--json');

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.json).toMatchObject({ changed: false, tunnel: { port: 8883, alpn: null } });
    expect(readFileSync(configPath, 'utf8')).toBe(before);
  });

  it('shows the tunnel and the command that switches it', async () => {
    // Prepare
    const { dir } = agentHome({ port: 443, alpn: 'x-amzn-mqtt-ca' });

    // Act
    const text = await clawpulsar('agent', 'tunnel', 'show', '--dir', dir);
    const json = await clawpulsar('agent', 'tunnel', 'show', '--dir', dir, '--json');

    // Assess
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe(
      [
        `broker       IoT Core at ${ENDPOINT}:443 with ALPN x-amzn-mqtt-ca`,
        `server name  ${ENDPOINT}`,
        `switch       clawpulsar agent tunnel set --port 8883 --dir ${dir} (IoT Core’s MQTT port)`,
        '',
      ].join('\n'),
    );
    expect(json.json).toEqual({
      tunnel: { host: ENDPOINT, port: 443, serverName: ENDPOINT, alpn: 'x-amzn-mqtt-ca', iotCore: true },
    });
  });

  it.each(['80', '8443', '1883', 'https', '443abc'])(
    'refuses port %s with exit code 2, naming the two IoT Core takes',
    async (port) => {
      // Prepare
      const { dir, configPath } = agentHome();
      const before = readFileSync(configPath, 'utf8');

      // Act
      const result = await clawpulsar('agent', 'tunnel', 'set', '--port', port, '--dir', dir, '--json');

      // Assess
      expect(result.code).toBe(2);
      expect(result.json).toEqual({
        error: {
          code: 'tunnel_port_invalid',
          message: `IoT Core takes the tunnel on port 8883, or on 443 with ALPN x-amzn-mqtt-ca: give 8883 or 443, not "${port}"`,
        },
      });
      expect(readFileSync(configPath, 'utf8')).toBe(before);
    },
  );

  it('refuses a set without --port, exit code 2', async () => {
    // Prepare
    const { dir } = agentHome();

    // Act
    const result = await clawpulsar('agent', 'tunnel', 'set', '--dir', dir);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--port <port>' not specified");
  });

  it("refuses to move a local edge's broker, which listens where the edge said", async () => {
    // Prepare
    const { dir, configPath } = agentHome({ host: '127.0.0.1', port: 8883, serverName: 'localhost' });
    const before = readFileSync(configPath, 'utf8');

    // Act
    const result = await clawpulsar('agent', 'tunnel', 'set', '--port', '443', '--dir', dir);
    const shown = await clawpulsar('agent', 'tunnel', 'show', '--dir', dir, '--json');

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "clawpulsar: The tunnel port can be chosen for an AWS IoT Core endpoint only; this agent's tunnel (localhost:8883) is an edge's own broker, which listens where the edge said at registration (`clawpulsar dev --tunnel-port`): if it moved, register again\n",
    );
    expect(readFileSync(configPath, 'utf8')).toBe(before);
    expect(shown.json).toEqual({
      tunnel: { host: '127.0.0.1', port: 8883, serverName: 'localhost', alpn: null, iotCore: false },
    });
  });

  it('says no agent is registered in an empty directory', async () => {
    // Act
    const result = await clawpulsar('agent', 'tunnel', 'set', '--port', '443', '--dir', join(root, 'none'));

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`No agent is registered in ${join(root, 'none')}`);
  });

  it.each([
    ['is not JSON', '{ "version": 1,', /config\.json is not valid JSON/],
    ['has a bad tunnel', { tunnel: { host: ENDPOINT, port: 'x', serverName: ENDPOINT } }, /tunnel\.port/],
    [
      'records a bad stack',
      { stack: { name: 'no spaces allowed' } },
      /stack\.name: must be a CloudFormation stack name/,
    ],
  ])(
    'refuses a config.json that %s, exit code 2, and leaves it as it was',
    async (_what, broken, message) => {
      // Prepare
      const { dir, configPath } = agentHome();
      const text =
        typeof broken === 'string'
          ? broken
          : JSON.stringify({ ...JSON.parse(readFileSync(configPath, 'utf8')), ...broken });
      writeFileSync(configPath, text);

      // Act
      const result = await clawpulsar('agent', 'tunnel', 'set', '--port', '443', '--dir', dir, '--json');

      // Assess
      expect(result.code).toBe(2);
      expect(result.json).toEqual({
        error: { code: 'config_invalid', message: expect.stringMatching(message) },
      });
      expect(readFileSync(configPath, 'utf8')).toBe(text);
    },
  );
});

describe('clawpulsar agent status with the tunnel and the stack', () => {
  it('shows the port with its ALPN and the stack the agent registered with', async () => {
    // Prepare
    const { dir, configPath } = agentHome({ port: 443, alpn: 'x-amzn-mqtt-ca' });
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      configPath,
      JSON.stringify({ ...config, stack: { name: 'ClawPulsar', region: 'eu-west-1' } }),
    );

    // Act
    const text = await clawpulsar('agent', 'status', '--dir', dir);
    const json = await clawpulsar('agent', 'status', '--dir', dir, '--json');

    // Assess
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      `tunnel       ${ENDPOINT}:443 with ALPN x-amzn-mqtt-ca (edge ${EDGE_URL})\nstack        ClawPulsar in eu-west-1\n`,
    );
    expect(json.json).toMatchObject({
      tunnel: `${ENDPOINT}:443`,
      tunnelAlpn: 'x-amzn-mqtt-ca',
      stack: { name: 'ClawPulsar', region: 'eu-west-1' },
    });
  });

  it('reads a config.json written before the stack was recorded', async () => {
    // Prepare: every field an earlier version wrote, and none it did not know.
    const { dir, configPath } = agentHome();
    const { stack: _none, ...old } = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
    writeFileSync(configPath, JSON.stringify(old, null, 2));

    // Act
    const json = await clawpulsar('agent', 'status', '--dir', dir, '--json');
    const text = await clawpulsar('agent', 'status', '--dir', dir);

    // Assess
    expect(json.code, json.stderr).toBe(0);
    expect(json.json).toMatchObject({
      agentId: 'laptop',
      stack: null,
      tunnel: `${ENDPOINT}:8883`,
      tunnelAlpn: null,
    });
    expect(text.stdout).not.toContain('stack ');
  });
});

describe('a running agent when its tunnel is moved', () => {
  let iot443: IotCoreStandIn;
  let blocked: SilentPort;
  let agent: CliProcess | undefined;

  beforeAll(async () => {
    [iot443, blocked] = await Promise.all([
      startIotCoreStandIn({
        endpoint: ENDPOINT,
        server: issueServer(amazonRoot, [ENDPOINT]),
        registeredCa: issuingCa,
        alpn: 'x-amzn-mqtt-ca',
        host: HOST,
        port: 443,
      }),
      startSilentPort(HOST),
    ]);
  });
  afterAll(async () => {
    // The stand-ins first: s_server never answers the CONNECT, and an agent waiting for its CONNACK
    // would stop only when MQTT's connect timeout (30 s) gives up on it.
    await Promise.all([iot443?.close(), blocked?.close()]);
    await agent?.stop();
  });

  it('leaves the blocked port for 443 with ALPN within seconds, mutual TLS accepted, and sends its MQTT CONNECT there', async () => {
    // Prepare: the agent is stuck on a port whose packets are dropped, as 8883 is on many networks.
    const { dir, configPath } = agentHome({ host: HOST, port: blocked.port });
    agent = new CliProcess(['agent', 'run', '--dir', dir, '--json-logs', '--log-dir', join(root, 'logs')], {
      HOME: root,
    });
    await agent.waitFor(/"agent_starting"/);
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { tunnel: unknown };

    // Act: what doctor's advice says to run, in another process, while the agent runs.
    const switched = await clawpulsar('agent', 'tunnel', 'set', '--port', '443', '--dir', dir);
    const started = Date.now();
    await agent.waitFor(/"tunnel_endpoint_changed"/, 10_000);
    await waitUntil(() => mqttConnectIn(iot443.output()) !== undefined, 10_000);
    const connectedAfterMs = Date.now() - started;
    // Longer than the first reconnect backoff: a stray one would show by now.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    // Assess
    expect(switched.code, switched.stderr).toBe(0);
    expect(config.tunnel).toEqual({ host: HOST, port: blocked.port, serverName: ENDPOINT });
    expect(connectedAfterMs).toBeLessThan(10_000);
    expect(agent.stderr).not.toContain('"tunnel_reconnecting"');
    expect(agent.stderr).toMatch(
      new RegExp(
        `"tunnel_endpoint_changed".*"broker":"${HOST.replaceAll('.', '\\.')}:443".*"alpn":"x-amzn-mqtt-ca"`,
      ),
    );
    // openssl's own account: it selected the ALPN protocol and got the client's MQTT 3.1.1 CONNECT
    // with the agent's id; a client certificate that did not chain to the registered CA would have
    // ended the handshake (-verify_return_error) before any byte.
    const output = iot443.output();
    expect(output).toContain('ALPN protocols selected: x-amzn-mqtt-ca');
    expect(mqttConnectIn(output)).toEqual({ protocolLevel: 4, keepaliveSeconds: 30, clientId: 'laptop' });
    expect(output.match(/ALPN protocols selected/g)).toHaveLength(1);
    expect(agent.child.exitCode).toBeNull();
  }, 40_000);
});

/**
 * The first MQTT CONNECT in what s_server printed (bytes as latin1): fixed header 0x10 and a one-byte
 * remaining length, then protocol name "MQTT", level, flags, keepalive and the client id (MQTT 3.1.1,
 * §3.1).
 */
function mqttConnectIn(output: string) {
  const bytes = Buffer.from(output, 'latin1');
  const name = bytes.indexOf(Buffer.from([0, 4, ...Buffer.from('MQTT')]));
  if (name < 2 || bytes[name - 2] !== 0x10) return undefined;
  const idLength = bytes.readUInt16BE(name + 10);
  return {
    protocolLevel: bytes[name + 6],
    keepaliveSeconds: bytes.readUInt16BE(name + 8),
    clientId: bytes.subarray(name + 12, name + 12 + idLength).toString('utf8'),
  };
}

async function waitUntil(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
