import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWLIST } from '../../../agent/config/agentConfig.ts';
import {
  parseAllowlistEntry,
  TARGET_NOT_ALLOWED,
  TargetAllowlist,
} from '../../../agent/routing/TargetAllowlist.ts';

function lookup(allowlist: TargetAllowlist, host: string, all = false) {
  return new Promise<{ error: NodeJS.ErrnoException | null; address: unknown }>((resolve) => {
    allowlist.lookup(host, { all }, (error, address) => resolve({ error, address }));
  });
}

describe('parseAllowlistEntry', () => {
  it('reads CIDRs, bare addresses and host names', () => {
    expect(parseAllowlistEntry('10.0.0.0/8')).toEqual({
      kind: 'network',
      address: '10.0.0.0',
      prefix: 8,
      family: 'ipv4',
    });
    expect(parseAllowlistEntry('fd00::/8')).toEqual({
      kind: 'network',
      address: 'fd00::',
      prefix: 8,
      family: 'ipv6',
    });
    expect(parseAllowlistEntry('192.168.1.5')).toEqual({
      kind: 'network',
      address: '192.168.1.5',
      prefix: 32,
      family: 'ipv4',
    });
    expect(parseAllowlistEntry('::1')).toEqual({
      kind: 'network',
      address: '::1',
      prefix: 128,
      family: 'ipv6',
    });
    expect(parseAllowlistEntry('OpenClaw.LAN.')).toEqual({ kind: 'name', name: 'openclaw.lan' });
  });

  it.each([
    ['10.0.0.0/33'],
    ['10.0.0.0/-1'],
    ['10.0.0.0/8/1'],
    ['10.0.0.0/x'],
    ['::1/129'],
    ['host/8'],
    ['bad host'],
    ['-leading.dash'],
    ['under_score.lan'],
    [''],
    ['a'.repeat(254)],
  ])('rejects %j', (entry) => {
    expect(() => parseAllowlistEntry(entry)).toThrow(/is not a CIDR, an IP address or a host name/);
  });
});

describe('TargetAllowlist', () => {
  const loopback = new TargetAllowlist(DEFAULT_ALLOWLIST);

  it('allows loopback addresses by default, IPv4-mapped ones included, and nothing else', () => {
    expect(loopback.isAddressAllowed('127.0.0.1')).toBe(true);
    expect(loopback.isAddressAllowed('127.255.0.9')).toBe(true);
    expect(loopback.isAddressAllowed('::1')).toBe(true);
    expect(loopback.isAddressAllowed('::ffff:127.0.0.1')).toBe(true);
    expect(loopback.isAddressAllowed('::ffff:10.0.0.1')).toBe(false);
    expect(loopback.isAddressAllowed('10.0.0.1')).toBe(false);
    expect(loopback.isAddressAllowed('0.0.0.0')).toBe(false);
    expect(loopback.isAddressAllowed('169.254.169.254')).toBe(false);
    expect(loopback.isAddressAllowed('localhost')).toBe(false);
  });

  it('allows an IPv4 address exactly when it is in 127.0.0.0/8 (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(loopback.isAddressAllowed(address)).toBe(address.startsWith('127.'));
      }),
    );
  });

  it('decides on URLs with address literals without resolving anything', async () => {
    await expect(loopback.check(new URL('http://127.0.0.1:18789/hooks'))).resolves.toEqual({ allowed: true });
    await expect(loopback.check(new URL('http://[::1]:18789/hooks'))).resolves.toEqual({ allowed: true });
    await expect(loopback.check(new URL('http://10.0.0.1/hooks'))).resolves.toEqual({
      allowed: false,
      reason: '10.0.0.1 is not in the allowlist',
    });
    await expect(loopback.check(new URL('http://0x7f000001/'))).resolves.toEqual({ allowed: true });
  });

  it('allows a listed name only when every address it resolves to is allowed', async () => {
    await expect(loopback.check(new URL('http://localhost:18789/'))).resolves.toEqual({ allowed: true });
    await expect(loopback.check(new URL('http://LOCALHOST./'))).resolves.toEqual({ allowed: true });
    const narrow = new TargetAllowlist(['127.0.0.2/32', 'localhost']);
    await expect(narrow.check(new URL('http://localhost/'))).resolves.toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/^host localhost resolves to .*, outside the allowlist$/),
    });
  });

  it('refuses a name that is not listed, even one that resolves to loopback', async () => {
    await expect(loopback.check(new URL('http://vm/'))).resolves.toEqual({
      allowed: false,
      reason: 'host vm is not in the allowlist',
    });
  });

  it('rejects when a listed name does not resolve (the caller retries)', async () => {
    const allowlist = new TargetAllowlist(['127.0.0.0/8', 'no-such-host.invalid']);
    await expect(allowlist.check(new URL('http://no-such-host.invalid/'))).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
  });

  it('checks the resolved address again at connect time', async () => {
    const narrow = new TargetAllowlist(['127.0.0.2/32', 'localhost']);
    const refused = await lookup(narrow, 'localhost', true);
    expect(refused.error?.code).toBe(TARGET_NOT_ALLOWED);

    const single = await lookup(new TargetAllowlist(['127.0.0.0/8', 'localhost']), 'localhost', false);
    expect(single.error).toBeNull();
    expect(single.address).toMatch(/^127\./);

    const all = await lookup(loopback, 'localhost', true);
    expect(all.error).toBeNull();
    expect(Array.isArray(all.address)).toBe(true);
  });
});
