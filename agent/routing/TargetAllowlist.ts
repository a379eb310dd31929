import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { BadRequestError } from '../../lambdas/core/errors.ts';

/** Host names: letters, digits, dashes and dots (RFC 1123), at most 253 characters. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Error code of a connection the allowlist stopped at connect time (a name that re-resolved elsewhere). */
export const TARGET_NOT_ALLOWED = 'ERR_CLAWPULSAR_TARGET_NOT_ALLOWED';

export type AllowlistVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string };

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** Parses one allowlist entry: a CIDR (`10.0.0.0/8`, `fd00::/8`), an address, or a host name. */
export function parseAllowlistEntry(
  entry: string,
):
  | { kind: 'network'; address: string; prefix: number; family: 'ipv4' | 'ipv6' }
  | { kind: 'name'; name: string } {
  const [address = '', prefixText, ...rest] = entry.trim().split('/');
  const version = isIP(address);
  if (version !== 0 && rest.length === 0) {
    const max = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (
      Number.isInteger(prefix) &&
      prefix >= 0 &&
      prefix <= max &&
      (prefixText === undefined || /^\d+$/.test(prefixText))
    ) {
      return { kind: 'network', address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
    }
  }
  const name = normaliseHost(entry);
  if (prefixText === undefined && HOST_NAME.test(name)) return { kind: 'name', name };
  throw new BadRequestError(
    'allowlist_entry_invalid',
    `"${entry}" is not a CIDR, an IP address or a host name`,
  );
}

/**
 * Which hosts the agent may forward to. A target is allowed when its host is an allowed address, or a
 * listed host name whose every resolved address is allowed too, so a name that points elsewhere is
 * refused. `lookup` repeats the address check when a connection is opened, closing the gap between the
 * check and the connect (DNS rebinding).
 *
 * @example
 * const allowlist = new TargetAllowlist(['127.0.0.0/8', '::1', 'localhost']);
 * await allowlist.check(new URL('http://10.0.0.1/')); // { allowed: false, reason: … }
 */
export class TargetAllowlist {
  readonly #networks = new BlockList();
  readonly #names = new Set<string>();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const parsed = parseAllowlistEntry(entry);
      if (parsed.kind === 'name') this.#names.add(parsed.name);
      else this.#networks.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
  }

  /** True when `address` (an IP literal) is inside an allowed network. */
  isAddressAllowed(address: string): boolean {
    const version = isIP(address);
    return version !== 0 && this.#networks.check(address, version === 4 ? 'ipv4' : 'ipv6');
  }

  /** Decides on a target URL; resolves host names. Throws only when the name can't be resolved now. */
  async check(url: URL): Promise<AllowlistVerdict> {
    const host = normaliseHost(url.hostname);
    if (isIP(host) !== 0) {
      return this.isAddressAllowed(host)
        ? { allowed: true }
        : { allowed: false, reason: `${host} is not in the allowlist` };
    }
    if (!this.#names.has(host)) return { allowed: false, reason: `host ${host} is not in the allowlist` };
    const addresses = await resolveAll(host);
    const outside = addresses.find((a) => !this.isAddressAllowed(a.address));
    if (outside)
      return { allowed: false, reason: `host ${host} resolves to ${outside.address}, outside the allowlist` };
    return { allowed: true };
  }

  /** A `lookup` for node:http/net that refuses (code `TARGET_NOT_ALLOWED`) any address outside the list. */
  readonly lookup = (
    hostname: string,
    options: LookupAllOptions | object,
    callback: LookupCallback,
  ): void => {
    dnsLookup(hostname, { ...(options as object), all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const outside = addresses.find((a) => !this.isAddressAllowed(a.address));
      if (outside) {
        const refused: NodeJS.ErrnoException = new Error(
          `${hostname} resolved to an address outside the allowlist`,
        );
        refused.code = TARGET_NOT_ALLOWED;
        return callback(refused, []);
      }
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0];
      if (!first)
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(host, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });
}

/** Lower case, no brackets around IPv6 literals, no trailing dot. */
function normaliseHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, '');
}
