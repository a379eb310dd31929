import { describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../../../agent/config/agentConfig.ts';
import {
  withAllowlistEntry,
  withoutAllowlistEntry,
  withoutRoute,
  withRoute,
  withTunnelPort,
} from '../../../agent/config/editConfig.ts';

const config = agentConfigSchema.parse({
  version: 1,
  agentId: 'laptop',
  edgeUrl: 'http://127.0.0.1:8787',
  webhookBaseUrl: 'http://127.0.0.1:8787/v1/hooks',
  tunnel: { host: '127.0.0.1', port: 8883, serverName: 'localhost' },
});

describe('route edits', () => {
  it('sets, replaces and removes a source route and the default route', () => {
    const one = withRoute(config, { source: 'github' }, { target: 'http://127.0.0.1:1/a' });
    const replaced = withRoute(
      one,
      { source: 'github' },
      { target: 'http://127.0.0.1:1/b', headers: { 'X-A': '1' } },
    );
    const withDefault = withRoute(replaced, { default: true }, { target: 'http://127.0.0.1:1/any' });
    expect(withDefault.routes).toEqual({
      github: { target: 'http://127.0.0.1:1/b', headers: { 'X-A': '1' } },
    });
    expect(withDefault.defaultRoute).toEqual({ target: 'http://127.0.0.1:1/any' });
    expect(withoutRoute(withDefault, { source: 'github' }).routes).toEqual({});
    expect(withoutRoute(withDefault, { default: true }).defaultRoute).toBeUndefined();
    expect(config.routes).toEqual({});
  });

  it('refuses bad routes and removing what is not there', () => {
    expect(() => withRoute(config, { source: 'Git Hub' }, { target: 'http://127.0.0.1/' })).toThrow(
      /lower-case letters/,
    );
    expect(() => withRoute(config, { source: 'github' }, { target: 'nope' })).toThrow(
      /Route target: must be an http/,
    );
    expect(() =>
      withRoute(config, { source: 'github' }, { target: 'http://127.0.0.1/', headers: { Host: 'x' } }),
    ).toThrow(/Route headers.Host: is hop-by-hop/);
    expect(() => withoutRoute(config, { source: 'github' })).toThrow(/no route for source "github"/);
    expect(() => withoutRoute(config, { default: true })).toThrow(/no default route/);
  });
});

describe('allowlist edits', () => {
  it('adds an entry once and removes it', () => {
    const added = withAllowlistEntry(withAllowlistEntry(config, ' 192.168.1.0/24 '), '192.168.1.0/24');
    expect(added.allowlist).toEqual(['127.0.0.0/8', '::1/128', 'localhost', '192.168.1.0/24']);
    expect(withoutAllowlistEntry(added, '192.168.1.0/24').allowlist).toEqual(config.allowlist);
  });

  it('refuses bad entries and removing what is not there', () => {
    expect(() => withAllowlistEntry(config, '300.1.1.1/8')).toThrow(/not a CIDR/);
    expect(() => withoutAllowlistEntry(config, '10.0.0.0/8')).toThrow(/not in the allowlist/);
  });
});

describe('tunnel port edits', () => {
  const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
  const onIotCore = agentConfigSchema.parse({
    ...config,
    tunnel: { host: ENDPOINT, port: 8883, serverName: ENDPOINT },
  });

  it('moves an IoT Core tunnel to 443 with ALPN and back, leaving the rest of the config as it was', () => {
    // Act
    const on443 = withTunnelPort(onIotCore, 443);
    const back = withTunnelPort(on443, 8883);

    // Assess
    expect(on443).toEqual({
      ...onIotCore,
      tunnel: { host: ENDPOINT, port: 443, serverName: ENDPOINT, alpn: 'x-amzn-mqtt-ca' },
    });
    expect(agentConfigSchema.parse(on443)).toEqual(on443);
    expect(back).toEqual(onIotCore);
  });

  it("refuses the local edge's broker", () => {
    expect(() => withTunnelPort(config, 443)).toThrow(/AWS IoT Core endpoint only/);
  });
});
