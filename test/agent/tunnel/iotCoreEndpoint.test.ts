import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  IOT_ALPN,
  iotCorePortOf,
  iotCoreRegion,
  isIotCorePort,
  tunnelPortCommand,
  withIotCorePort,
} from '../../../agent/tunnel/iotCoreEndpoint.ts';
import type { ClawPulsarError } from '../../../lambdas/core/errors.ts';

const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
const iot = { host: ENDPOINT, port: 8883, serverName: ENDPOINT };

function errorOf(act: () => unknown): ClawPulsarError {
  try {
    act();
  } catch (error) {
    return error as ClawPulsarError;
  }
  throw new Error('expected an error');
}

describe('iotCoreRegion', () => {
  it.each([
    [ENDPOINT, 'eu-west-1'],
    ['abc123.iot.ap-southeast-2.amazonaws.com', 'ap-southeast-2'],
    ['A1B2-ATS.IOT.US-GOV-WEST-1.AMAZONAWS.COM', 'us-gov-west-1'],
    ['a1b2-ats.iot.cn-north-1.amazonaws.com.cn', 'cn-north-1'],
  ])('reads the region of the IoT Core endpoint %s', (serverName, region) => {
    expect(iotCoreRegion(serverName)).toBe(region);
  });

  it.each([
    'localhost',
    '127.0.0.1',
    'edge.example.com',
    `${ENDPOINT}.evil.test`,
    'a1b2.execute-api.eu-west-1.amazonaws.com',
  ])('says %s is not IoT Core', (serverName) => {
    expect(iotCoreRegion(serverName)).toBeUndefined();
  });
});

describe('iotCorePortOf', () => {
  it('takes 8883 and 443, with spaces around', () => {
    expect(iotCorePortOf('8883')).toBe(8883);
    expect(iotCorePortOf(' 443 ')).toBe(443);
  });

  it.each(['80', '1883', '0443x', '', 'abc', '-443', '443.0', '0x1bb', '99999999'])(
    'refuses "%s" with the two ports it takes',
    (text) => {
      // Act
      const error = errorOf(() => iotCorePortOf(text));

      // Assess
      expect(error.code).toBe('tunnel_port_invalid');
      expect(error.status).toBe(400);
      expect(error.message).toBe(
        `IoT Core takes the tunnel on port 8883, or on 443 with ALPN x-amzn-mqtt-ca: give 8883 or 443, not "${text}"`,
      );
    },
  );

  it('takes exactly the strings that name 8883 or 443', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (text) => {
        let port: number | undefined;
        try {
          port = iotCorePortOf(text);
        } catch (error) {
          expect((error as ClawPulsarError).code).toBe('tunnel_port_invalid');
        }
        const named = /^\s*\d{1,5}\s*$/.test(text) && isIotCorePort(Number(text));
        expect(port !== undefined).toBe(named);
      }),
    );
  });
});

describe('withIotCorePort', () => {
  it('asks for ALPN x-amzn-mqtt-ca on 443 and for none on 8883, keeping host and server name', () => {
    // Act
    const on443 = withIotCorePort(iot, 443);
    const back = withIotCorePort(on443, 8883);

    // Assess
    expect(on443).toEqual({ host: ENDPOINT, port: 443, serverName: ENDPOINT, alpn: IOT_ALPN });
    expect(back).toEqual(iot);
    expect(withIotCorePort({ ...iot, alpn: 'mqtt' }, 8883)).toEqual(iot);
  });

  it("refuses an edge's own broker, which listens where its edge announced", () => {
    // Act
    const error = errorOf(() =>
      withIotCorePort({ host: '127.0.0.1', port: 8883, serverName: 'localhost' }, 443),
    );

    // Assess
    expect(error.code).toBe('tunnel_port_not_applicable');
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      "The tunnel port can be chosen for an AWS IoT Core endpoint only; this agent's tunnel (localhost:8883) is an edge's own broker, which listens where the edge said at registration (`clawpulsar dev --tunnel-port`): if it moved, register again",
    );
  });
});

describe('tunnelPortCommand', () => {
  it('names --dir only for a home that is not the default, quoted for the shell when it must be', () => {
    expect(tunnelPortCommand(443, '/home/me/.clawpulsar/agent', '/home/me/.clawpulsar/agent')).toBe(
      'clawpulsar agent tunnel set --port 443',
    );
    expect(tunnelPortCommand(8883, '/srv/agent-2', '/home/me/.clawpulsar/agent')).toBe(
      'clawpulsar agent tunnel set --port 8883 --dir /srv/agent-2',
    );
    expect(tunnelPortCommand(443, "/tmp/my agent's", '/home/me/.clawpulsar/agent')).toBe(
      "clawpulsar agent tunnel set --port 443 --dir '/tmp/my agent'\\''s'",
    );
  });
});
