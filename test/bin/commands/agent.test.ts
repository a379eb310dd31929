import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentPaths } from '../../../agent/home/agentPaths.ts';
import { topicsFor } from '../../../lambdas/core/delivery/topics.ts';
import { githubRequest, tempAgentDir } from '../../agent/agentFixtures.ts';
import { RecordingTarget } from '../../support/RecordingTarget.ts';
import { runCommand } from '../../support/runCommand.ts';
import { TestEdge } from '../../support/testEdge.ts';

function clawpulsar(...args: string[]) {
  return runCommand(process.execPath, ['dist/clawpulsar.mjs', 'agent', ...args], { timeoutMs: 20_000 });
}

describe('clawpulsar agent', () => {
  let edge: TestEdge;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(async () => {
    edge = await TestEdge.start();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await edge.close();
  });

  function home(): string {
    const created = tempAgentDir();
    cleanups.push(created.remove);
    return created.dir;
  }

  async function register(dir: string, agentId: string, ...extra: string[]) {
    return clawpulsar(
      'register',
      '--edge',
      edge.url,
      '--token',
      edge.issueToken(agentId),
      '--dir',
      dir,
      ...extra,
    );
  }

  describe('register', () => {
    it('stores keys and certificates 0600 in a 0700 home and sends only the CSR and the public sealing key', async () => {
      // Prepare
      const dir = home();
      const sent = edge.registrationBodies.length;

      // Act
      const result = await register(dir, 'cli-laptop', '--name', 'laptop.lan');

      // Assess
      expect(result.code).toBe(0);
      const stdout = result.stdout.toString();
      expect(stdout).toContain('Registered agent "cli-laptop"');
      expect(stdout).toContain(`${edge.url}/v1/hooks/cli-laptop/<source-id>`);
      expect(stdout).toContain('clawpulsar agent route add --source');
      expect(stdout).toContain('clawpulsar agent run');
      const paths = agentPaths(dir);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      for (const file of [
        paths.config,
        paths.tlsKey,
        paths.tlsCsr,
        paths.certificate,
        paths.caChain,
        paths.serverCa,
        paths.sealingKey,
      ]) {
        expect(statSync(file).mode & 0o777, file).toBe(0o600);
      }
      const bodies = edge.registrationBodies.slice(sent);
      expect(bodies).toHaveLength(1);
      const body = JSON.parse(bodies[0]!) as Record<string, string>;
      expect(Object.keys(body).sort()).toEqual(['csrPem', 'hostname', 'sealingPublicKey', 'token']);
      expect(body.hostname).toBe('laptop.lan');
      const tlsKeyBase64 = readFileSync(paths.tlsKey, 'utf8').split('\n').slice(1, -2).join('');
      const sealingPrivate = readFileSync(paths.sealingKey, 'utf8').trim();
      expect(bodies[0]).not.toContain('PRIVATE KEY');
      expect(bodies[0]).not.toContain(tlsKeyBase64.slice(0, 40));
      expect(bodies[0]).not.toContain(sealingPrivate);
      expect(body.sealingPublicKey).not.toBe(sealingPrivate);
    });

    it('prints JSON with --json', async () => {
      // Act
      const result = await register(home(), 'cli-json', '--json');

      // Assess
      expect(result.code).toBe(0);
      const output = JSON.parse(result.stdout.toString()) as Record<string, unknown>;
      expect(output).toMatchObject({ agentId: 'cli-json', webhookBaseUrl: `${edge.url}/v1/hooks` });
      expect(output.notAfter).toBeGreaterThan(Date.now());
    });

    it('tells the user to ask for a new token when the edge refuses it', async () => {
      // Act
      const result = await clawpulsar(
        'register',
        '--edge',
        edge.url,
        '--token',
        `cpreg_${'x'.repeat(43)}`,
        '--dir',
        home(),
      );

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('The edge refused the token');
      expect(result.stderr).toContain('clawpulsar token create');
    });

    it('refuses to replace a registered agent without --force, and keeps its routes with --force', async () => {
      // Prepare
      const dir = home();
      await register(dir, 'cli-twice');
      await clawpulsar(
        'route',
        'add',
        '--dir',
        dir,
        '--source',
        'github',
        '--target',
        'http://127.0.0.1:18789/hooks/github',
      );

      // Act
      const refused = await register(dir, 'cli-twice');
      const replaced = await register(dir, 'cli-twice', '--force');
      const list = await clawpulsar('route', 'list', '--dir', dir, '--json');

      // Assess
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('already holds agent "cli-twice"');
      expect(replaced.code).toBe(0);
      expect(JSON.parse(list.stdout.toString()).routes).toEqual([
        { source: 'github', target: 'http://127.0.0.1:18789/hooks/github', headerNames: [] },
      ]);
    });

    it('refuses a plain-http edge on another machine before sending the token', async () => {
      // Act
      const result = await clawpulsar(
        'register',
        '--edge',
        'http://edge.example.com',
        '--token',
        'cpreg_x',
        '--dir',
        home(),
      );

      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('Use https://');
    });

    it('says when the edge cannot be reached', async () => {
      // Act
      const result = await clawpulsar(
        'register',
        '--edge',
        'http://127.0.0.1:1',
        '--token',
        'cpreg_x',
        '--dir',
        home(),
      );

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Could not reach the edge at http://127.0.0.1:1');
    });
  });

  describe('register --tunnel-port', () => {
    const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
    let iotEdge: TestEdge;
    beforeAll(async () => {
      // Announces IoT Core's endpoint, as a stack's register function does.
      iotEdge = await TestEdge.start({
        announcedTunnel: { host: ENDPOINT, port: 8883, serverName: ENDPOINT },
      });
    });
    afterAll(async () => {
      await iotEdge.close();
    });

    it('puts an IoT Core tunnel on 443 with ALPN x-amzn-mqtt-ca, and says so', async () => {
      // Prepare
      const dir = home();

      // Act
      const result = await clawpulsar(
        'register',
        '--edge',
        iotEdge.url,
        '--token',
        iotEdge.issueToken('cli-443'),
        '--dir',
        dir,
        '--tunnel-port',
        '443',
      );
      const status = await clawpulsar('status', '--dir', dir, '--json');

      // Assess
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout.toString()).toContain(
        `  tunnel               ${ENDPOINT}:443 (ALPN x-amzn-mqtt-ca)\n`,
      );
      expect(JSON.parse(readFileSync(agentPaths(dir).config, 'utf8')).tunnel).toEqual({
        host: ENDPOINT,
        port: 443,
        serverName: ENDPOINT,
        alpn: 'x-amzn-mqtt-ca',
      });
      expect(JSON.parse(status.stdout.toString())).toMatchObject({
        tunnel: `${ENDPOINT}:443`,
        tunnelAlpn: 'x-amzn-mqtt-ca',
        stack: null,
      });
    });

    it("registers with a local edge on the broker's own port and warns that the option did not apply", async () => {
      // Prepare
      const dir = home();

      // Act
      const result = await register(dir, 'cli-local-443', '--tunnel-port', '443', '--json');

      // Assess
      expect(result.code, result.stderr).toBe(0);
      const output = JSON.parse(result.stdout.toString()) as Record<string, unknown>;
      expect(output).toMatchObject({
        agentId: 'cli-local-443',
        tunnel: { host: '127.0.0.1', port: edge.brokerPort },
        warnings: [
          `--tunnel-port applies to an AWS IoT Core tunnel only; this edge's tunnel is its own broker, so the agent connects to port ${edge.brokerPort}, as the edge announced.`,
        ],
      });
      expect(JSON.parse(readFileSync(agentPaths(dir).config, 'utf8')).tunnel.port).toBe(edge.brokerPort);
    });

    it.each(['80', '8443', 'auto'])(
      'refuses --tunnel-port %s with exit code 2 before spending the token',
      async (port) => {
        // Prepare
        const dir = home();
        const sent = iotEdge.registrationBodies.length;
        const token = iotEdge.issueToken('cli-bad-port');

        // Act
        const refused = await clawpulsar(
          'register',
          '--edge',
          iotEdge.url,
          '--token',
          token,
          '--dir',
          dir,
          '--tunnel-port',
          port,
          '--json',
        );
        const retried = await clawpulsar('register', '--edge', iotEdge.url, '--token', token, '--dir', dir);

        // Assess
        expect(refused.code).toBe(2);
        expect(JSON.parse(refused.stdout.toString())).toEqual({
          error: {
            code: 'tunnel_port_invalid',
            message: `IoT Core takes the tunnel on port 8883, or on 443 with ALPN x-amzn-mqtt-ca: give 8883 or 443, not "${port}"`,
          },
        });
        expect(retried.code, retried.stderr).toBe(0);
        expect(iotEdge.registrationBodies.length - sent).toBe(1);
      },
    );
  });

  describe('route and allowlist', () => {
    it('adds, lists (without header values) and removes routes', async () => {
      // Prepare
      const dir = home();
      await register(dir, 'cli-routes');

      // Act
      const added = await clawpulsar(
        'route',
        'add',
        '--dir',
        dir,
        '--source',
        'github',
        '--target',
        'http://127.0.0.1:18789/hooks/github',
        '--header',
        'Authorization: Bearer very-secret-token',
      );
      const defaulted = await clawpulsar(
        'route',
        'add',
        '--dir',
        dir,
        '--default',
        '--target',
        'http://localhost:18789/hooks/any',
      );
      const listed = await clawpulsar('route', 'list', '--dir', dir);
      const listedJson = await clawpulsar('route', 'list', '--dir', dir, '--json');
      const removed = await clawpulsar('route', 'remove', '--dir', dir, '--source', 'github');
      const removedAgain = await clawpulsar('route', 'remove', '--dir', dir, '--source', 'github');

      // Assess
      expect(added.code).toBe(0);
      expect(added.stdout.toString()).toContain(
        'Routed source "github" to http://127.0.0.1:18789/hooks/github',
      );
      expect(defaulted.code).toBe(0);
      expect(listed.stdout.toString()).toMatch(
        /github\s+http:\/\/127\.0\.0\.1:18789\/hooks\/github\s+Authorization/,
      );
      expect(listed.stdout.toString()).not.toContain('very-secret-token');
      expect(listedJson.stdout.toString()).not.toContain('very-secret-token');
      expect(JSON.parse(listedJson.stdout.toString()).routes).toHaveLength(2);
      expect(removed.code).toBe(0);
      expect(removedAgain.code).toBe(1);
      expect(removedAgain.stderr).toContain('There is no route for source "github"');
      const config = JSON.parse(readFileSync(agentPaths(dir).config, 'utf8'));
      expect(config.routes).toEqual({});
      expect(config.defaultRoute).toEqual({ target: 'http://localhost:18789/hooks/any' });
    });

    it('refuses a target outside the allowlist until the user allows it', async () => {
      // Prepare
      const dir = home();
      await register(dir, 'cli-allow');

      // Act
      const refused = await clawpulsar(
        'route',
        'add',
        '--dir',
        dir,
        '--source',
        'lan',
        '--target',
        'http://10.0.0.1:8080/hook',
      );
      const allowed = await clawpulsar('allowlist', 'add', '10.0.0.0/8', '--dir', dir);
      const accepted = await clawpulsar(
        'route',
        'add',
        '--dir',
        dir,
        '--source',
        'lan',
        '--target',
        'http://10.0.0.1:8080/hook',
      );
      const list = await clawpulsar('allowlist', 'list', '--dir', dir, '--json');

      // Assess
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('10.0.0.1 is not in the allowlist');
      expect(refused.stderr).toContain('clawpulsar agent allowlist add');
      expect(allowed.code).toBe(0);
      expect(accepted.code).toBe(0);
      expect(JSON.parse(list.stdout.toString()).allowlist).toEqual([
        '127.0.0.0/8',
        '::1/128',
        'localhost',
        '10.0.0.0/8',
      ]);
    });

    it('rejects bad routes with a clear message', async () => {
      // Prepare
      const dir = home();
      await register(dir, 'cli-bad-route');

      // Act
      const noSource = await clawpulsar('route', 'add', '--dir', dir, '--target', 'http://127.0.0.1/');
      const badUrl = await clawpulsar(
        'route',
        'add',
        '--dir',
        dir,
        '--source',
        'github',
        '--target',
        'ftp://127.0.0.1/',
      );
      const badHeader = await clawpulsar(
        'route',
        'add',
        '--dir',
        dir,
        '--source',
        'github',
        '--target',
        'http://127.0.0.1/',
        '--header',
        'Host: evil',
      );
      const badId = await clawpulsar(
        'route',
        'add',
        '--dir',
        dir,
        '--source',
        'Git/Hub',
        '--target',
        'http://127.0.0.1/',
      );

      // Assess
      expect(noSource.code).toBe(2);
      expect(noSource.stderr).toContain('Give either --source <id> or --default');
      expect(badUrl.code).toBe(2);
      expect(badUrl.stderr).toContain('must be an http:// or https:// URL');
      expect(badHeader.code).toBe(2);
      expect(badHeader.stderr).toContain('hop-by-hop or set by the agent itself');
      expect(badId.code).toBe(2);
      expect(badId.stderr).toContain('lower-case letters, digits or dashes');
    });

    it('tells the user to register first in an empty home', async () => {
      // Act
      const result = await clawpulsar('route', 'list', '--dir', home());

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('clawpulsar agent register --edge URL --token T');
    });
  });

  describe('status', () => {
    it('shows the agent id, certificate expiry and routes', async () => {
      // Prepare
      const dir = home();
      await register(dir, 'cli-status');
      await clawpulsar(
        'route',
        'add',
        '--dir',
        dir,
        '--source',
        'stripe',
        '--target',
        'http://127.0.0.1:18789/hooks/stripe',
      );

      // Act
      const human = await clawpulsar('status', '--dir', dir);
      const json = await clawpulsar('status', '--dir', dir, '--json');

      // Assess
      expect(human.code).toBe(0);
      expect(human.stdout.toString()).toContain('agent        cli-status');
      expect(human.stdout.toString()).toContain('stripe → http://127.0.0.1:18789/hooks/stripe');
      const status = JSON.parse(json.stdout.toString());
      expect(status).toMatchObject({
        agentId: 'cli-status',
        routes: { stripe: 'http://127.0.0.1:18789/hooks/stripe' },
      });
      expect(status.certificate.expired).toBe(false);
      expect(status.certificate.notAfter).toBeGreaterThan(Date.now() + 22 * 3_600_000);
      expect(status.certificate.renewsAfter).toBeLessThan(status.certificate.notAfter);
    });
  });

  describe('run', () => {
    async function runChild(dir: string): Promise<{
      child: ChildProcess;
      lines: () => Record<string, unknown>[];
      exit: Promise<number | null>;
    }> {
      // The agent's log file goes beside its temporary home, not to ~/.clawpulsar/logs.
      const logDir = join(dirname(dir), 'logs');
      const child = spawn(
        process.execPath,
        ['dist/clawpulsar.mjs', 'agent', 'run', '--dir', dir, '--json-logs', '--log-dir', logDir],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      cleanups.push(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      const lines = () =>
        stderr
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      await edge.waitFor(() => lines().some((l) => l.event === 'tunnel_ready'), 15_000, 'agent ready');
      return { child, lines, exit };
    }

    it('forwards deliveries, logs JSON lines with metadata only and exits 0 on SIGTERM', async () => {
      // Prepare
      const target = await RecordingTarget.start();
      cleanups.push(() => target.close());
      const dir = home();
      await register(dir, 'cli-run');
      await clawpulsar(
        'route',
        'add',
        '--dir',
        dir,
        '--source',
        'github',
        '--target',
        target.url('/hooks/github'),
      );
      const { child, lines, exit } = await runChild(dir);

      // Act
      const envelopeId = await edge.deliver('cli-run', {
        sourceId: 'github',
        deliveryId: 'cli-1',
        request: githubRequest(Buffer.from('{"cli":"CANARY-cli-body"}')),
      });
      await edge.waitFor(() => edge.acksFor(envelopeId).length === 1, 10_000, 'ack');
      child.kill('SIGTERM');

      // Assess
      expect(await exit).toBe(0);
      expect(target.requests[0]!.body.toString()).toBe('{"cli":"CANARY-cli-body"}');
      const forwarded = lines().find((l) => l.event === 'delivery_forwarded');
      expect(forwarded).toMatchObject({
        level: 'info',
        envelopeId,
        sourceId: 'github',
        statusCode: 200,
        attempts: 1,
      });
      expect(lines().at(-1)).toMatchObject({ event: 'agent_stopped', reason: 'stopped' });
      expect(JSON.stringify(lines())).not.toContain('CANARY-cli-body');
    });

    it('exits 1 with a clear log line when the operator revokes the agent', async () => {
      // Prepare
      const dir = home();
      await register(dir, 'cli-revoked');
      const { lines, exit } = await runChild(dir);

      // Act
      await edge.broker.publish(
        topicsFor('cli-revoked').control,
        Buffer.from(JSON.stringify({ type: 'revoked', at: Date.now() })),
      );

      // Assess
      expect(await exit).toBe(1);
      const revoked = lines().find((l) => l.event === 'agent_revoked');
      expect(revoked).toMatchObject({ level: 'error' });
      expect(String(revoked?.next)).toContain('clawpulsar token create');
    });

    it('refuses to start when the agent is not registered', async () => {
      // Act
      const result = await clawpulsar('run', '--dir', home());

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('clawpulsar agent register --edge URL --token T');
    });
  });
});
