import { describe, expect, it } from 'vitest';
import {
  edgeKindOf,
  registerAgainAdvice,
  stackArguments,
  stackStatusCommand,
} from '../../../../bin/cli/doctor/EdgeKind.ts';

const IOT = { serverName: 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com' };

describe('edgeKindOf', () => {
  it.each([
    [
      'the API endpoint of a stack',
      'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
      undefined,
      'us-east-1',
    ],
    [
      'a stack in China',
      'https://a1b2c3d4e5.execute-api.cn-north-1.amazonaws.com.cn',
      undefined,
      'cn-north-1',
    ],
    ['a custom domain with IoT Core as the tunnel', 'https://hooks.example.com', IOT, 'eu-west-1'],
    [
      'the legacy IoT endpoint',
      'https://hooks.example.com',
      { serverName: 'abc123.iot.ap-southeast-2.amazonaws.com' },
      'ap-southeast-2',
    ],
    [
      'an upper-case endpoint name',
      'https://hooks.example.com',
      { serverName: IOT.serverName.toUpperCase() },
      'eu-west-1',
    ],
  ])('names %s a stack, in its region', (_name, url, tunnel, region) => {
    expect(edgeKindOf(url, tunnel)).toEqual({ kind: 'aws', region });
  });

  it.each([
    ['http://127.0.0.1:7700', { serverName: '127.0.0.1' }],
    ['http://localhost:7700', undefined],
    ['http://[::1]:7700', { serverName: 'localhost' }],
    ['http://127.8.9.10:7700', undefined],
  ])('names %s a local edge', (url, tunnel) => {
    expect(edgeKindOf(url, tunnel)).toEqual({ kind: 'local' });
  });

  it.each([
    [
      'a local edge shared over a tunnel service',
      'https://edge.tail1234.ts.net',
      { serverName: 'edge.tail1234.ts.net' },
    ],
    ['a look-alike host', 'https://execute-api.eu-west-1.amazonaws.com.example.com', undefined],
    [
      'an IoT look-alike tunnel',
      'https://hooks.example.com',
      { serverName: 'x-ats.iot.eu-west-1.amazonaws.com.evil.test' },
    ],
    ['a URL that is not one', 'not a url', undefined],
  ])('names %s a remote edge', (_name, url, tunnel) => {
    expect(edgeKindOf(url, tunnel)).toEqual({ kind: 'remote' });
  });
});

describe('edgeKindOf with the stack the agent registered with', () => {
  it('is that stack, in its recorded region, else the tunnel’s', () => {
    expect(edgeKindOf('https://hooks.example.com', IOT, { name: 'Relay', region: 'us-east-1' })).toEqual({
      kind: 'aws',
      region: 'us-east-1',
      stack: 'Relay',
    });
    expect(edgeKindOf('https://hooks.example.com', IOT, { name: 'Relay' })).toEqual({
      kind: 'aws',
      region: 'eu-west-1',
      stack: 'Relay',
    });
    expect(edgeKindOf('http://127.0.0.1:7700', { serverName: 'localhost' }, { name: 'Relay' })).toEqual({
      kind: 'aws',
      stack: 'Relay',
    });
  });
});

describe('advice for a stack', () => {
  it('names the stack from $CLAWPULSAR_STACK, or NAME to fill in, with the region', () => {
    // Prepare
    const kind = { kind: 'aws', region: 'eu-west-1' } as const;

    // Assess
    expect(stackStatusCommand(kind, {})).toBe('clawpulsar status --stack NAME --region eu-west-1');
    expect(stackStatusCommand(kind, { CLAWPULSAR_STACK: 'prod' })).toBe(
      'clawpulsar status --stack prod --region eu-west-1',
    );
    expect(stackArguments({ kind: 'aws' }, { CLAWPULSAR_STACK: '' })).toBe('--stack NAME');
  });

  it("names the agent's own stack before $CLAWPULSAR_STACK, which may point at another", () => {
    // Prepare
    const kind = { kind: 'aws', region: 'eu-west-1', stack: 'Relay' } as const;

    // Assess
    expect(stackStatusCommand(kind, { CLAWPULSAR_STACK: 'prod' })).toBe(
      'clawpulsar status --stack Relay --region eu-west-1',
    );
    expect(registerAgainAdvice(kind, 'laptop', 'https://hooks.example.com', {})).toContain(
      '`clawpulsar token create --stack Relay --region eu-west-1 --agent laptop`',
    );
  });

  it('registers again with a token from the stack, the edge, or onboard, as the kind of edge needs', () => {
    // Act
    const aws = registerAgainAdvice(
      { kind: 'aws', region: 'eu-west-1' },
      'laptop',
      'https://hooks.example.com',
      {},
    );
    const remote = registerAgainAdvice({ kind: 'remote' }, 'laptop', 'https://edge.example.net', {});
    const local = registerAgainAdvice({ kind: 'local' }, 'laptop', 'http://127.0.0.1:7700', {});

    // Assess
    expect(aws).toBe(
      'Register again with a new token: `clawpulsar token create --stack NAME --region eu-west-1 --agent laptop` where AWS credentials are at hand, then here `clawpulsar agent register --force --edge https://hooks.example.com --token T`',
    );
    expect(remote).toBe(
      'Register again with a new token: `clawpulsar token create --agent laptop` on the edge, then here `clawpulsar agent register --force --edge https://edge.example.net --token T`',
    );
    expect(local).toBe('Register again: `clawpulsar onboard --force`');
  });
});
