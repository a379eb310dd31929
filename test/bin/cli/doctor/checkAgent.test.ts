import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAgent } from '../../../../bin/cli/doctor/checkAgent.ts';
import { type AgentHomeInput, writeAgentHome } from '../../../support/agentHomeFiles.ts';
import { makeCa, removeCa, type TestCa } from '../../../support/opensslCa.ts';

const STACK_URL = 'https://hooks.example.com';
const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';

let root: string;
let ca: TestCa;
let homes = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cp-check-agent-'));
  ca = makeCa('ClawPulsar issuing CA');
});

afterAll(() => {
  removeCa(ca);
  rmSync(root, { recursive: true, force: true });
});

function home(input: Partial<AgentHomeInput>): string {
  const dir = join(root, `agent-${++homes}`);
  writeAgentHome(dir, {
    agentId: 'laptop',
    edgeUrl: STACK_URL,
    tunnel: { host: ENDPOINT, port: 8883, serverName: ENDPOINT },
    issuingCa: ca,
    serverCaPem: ca.certPem,
    ...input,
  });
  return dir;
}

describe('checkAgent', () => {
  it('is ok for an agent registered with a stack behind a custom domain', () => {
    // Act
    const { checks, config } = checkAgent(home({}), Date.now(), {});

    // Assess
    expect(config?.tunnel.serverName).toBe(ENDPOINT);
    expect(checks.map((c) => [c.id, c.level])).toEqual([
      ['agent', 'ok'],
      ['certificate', 'ok'],
      ['routes', 'ok'],
    ]);
    expect(checks[0]?.message).toBe(`Agent "laptop" is registered with ${STACK_URL}`);
  });

  it('fails an expired certificate of a stack agent with a new token from the stack, in its region', () => {
    // Act
    const { checks } = checkAgent(home({ certificate: { expired: true } }), Date.now(), {
      CLAWPULSAR_STACK: 'prod',
    });

    // Assess
    expect(checks[1]).toMatchObject({ id: 'certificate', level: 'fail' });
    expect(checks[1]?.fix).toBe(
      `Register again with a new token: \`clawpulsar token create --stack prod --region eu-west-1 --agent laptop\` where AWS credentials are at hand, then here \`clawpulsar agent register --force --edge ${STACK_URL} --token T\``,
    );
  });

  it('fails an expired certificate of a local edge agent with onboard', () => {
    // Act
    const { checks } = checkAgent(
      home({
        edgeUrl: 'http://127.0.0.1:7700',
        tunnel: { host: '127.0.0.1', port: 8883, serverName: '127.0.0.1' },
        certificate: { expired: true },
      }),
      Date.now(),
      {},
    );

    // Assess
    expect(checks[1]).toMatchObject({
      id: 'certificate',
      level: 'fail',
      fix: 'Register again: `clawpulsar onboard --force`',
    });
  });

  it('warns when no agent is registered, naming both ways to register', () => {
    // Act
    const { checks } = checkAgent(join(root, 'nobody'), Date.now(), {});

    // Assess
    expect(checks).toEqual([
      {
        id: 'agent',
        level: 'warn',
        message: `No agent is registered in ${join(root, 'nobody')}`,
        fix: 'Run `clawpulsar onboard` (or `clawpulsar agent register --edge URL --token T`, or `--stack NAME` for a deployed stack)',
      },
    ]);
  });
});
