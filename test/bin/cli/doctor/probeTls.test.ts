import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTls, type TlsProbeTarget } from '../../../../bin/cli/doctor/probeTls.ts';
import {
  closedPort,
  type IotCoreStandIn,
  type SilentPort,
  startIotCoreStandIn,
  startSilentPort,
} from '../../../support/iotCoreStandIn.ts';
import {
  issueClient,
  issueServer,
  makeCa,
  removeCa,
  type TestCa,
  type TestCertificate,
} from '../../../support/opensslCa.ts';

const ENDPOINT = 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com';
const ALPN = 'x-amzn-mqtt-ca';
const TIMEOUTS = { timeoutMs: 1500, verdictMs: 400 };

let amazonRoot: TestCa;
let registeredCa: TestCa;
let foreignCa: TestCa;
let server: TestCertificate;
let agent: TestCertificate;
let stranger: TestCertificate;
let iot: IotCoreStandIn;
let iotAlpn: IotCoreStandIn;
let iotTls12: IotCoreStandIn;
let silent: SilentPort;
let localBroker: Server;

beforeAll(async () => {
  amazonRoot = makeCa('Amazon Root CA 1 stand-in');
  registeredCa = makeCa('ClawPulsar issuing CA');
  foreignCa = makeCa('Not registered in IoT Core');
  server = issueServer(amazonRoot, [ENDPOINT]);
  agent = issueClient(registeredCa, 'laptop');
  stranger = issueClient(foreignCa, 'laptop');
  [iot, iotAlpn, iotTls12, silent] = await Promise.all([
    startIotCoreStandIn({ endpoint: ENDPOINT, server, registeredCa }),
    startIotCoreStandIn({ endpoint: ENDPOINT, server, registeredCa, alpn: ALPN }),
    startIotCoreStandIn({ endpoint: ENDPOINT, server, registeredCa, tls12Only: true }),
    startSilentPort(),
  ]);
  // The local edge's broker is a Node TLS server, which sends session tickets once it accepted a client.
  localBroker = createServer({
    key: server.keyPem,
    cert: server.certPem,
    ca: registeredCa.certPem,
    requestCert: true,
    rejectUnauthorized: true,
  });
  await new Promise<void>((resolve) => localBroker.listen(0, '127.0.0.1', resolve));
}, 30_000);

afterAll(async () => {
  await Promise.all([iot?.close(), iotAlpn?.close(), iotTls12?.close(), silent?.close()]);
  await new Promise<void>((resolve) => localBroker?.close(() => resolve()));
  for (const ca of [amazonRoot, registeredCa, foreignCa]) if (ca) removeCa(ca);
});

function target(port: number, overrides: Partial<TlsProbeTarget> = {}): TlsProbeTarget {
  return {
    host: '127.0.0.1',
    port,
    serverName: ENDPOINT,
    caPem: amazonRoot.certPem,
    keyPem: agent.keyPem,
    certificateChainPem: `${agent.certPem.trimEnd()}\n${registeredCa.certPem}`,
    ...overrides,
  };
}

const as = (certificate: TestCertificate, ca: TestCa) => ({
  keyPem: certificate.keyPem,
  certificateChainPem: `${certificate.certPem.trimEnd()}\n${ca.certPem}`,
});

describe('probeTls against IoT Core (openssl s_server: TLS 1.3, no session tickets)', () => {
  it('is accepted once the server, having had the time to refuse the certificate, did not', async () => {
    // Act
    const started = Date.now();
    const outcome = await probeTls(target(iot.port), TIMEOUTS);

    // Assess
    expect(outcome).toEqual({ result: 'accepted', protocol: 'TLSv1.3', alpn: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUTS.verdictMs - 5);
  });

  it('is refused when IoT Core does not know the certificate, although the TLS 1.3 handshake completed', async () => {
    // Act
    const outcome = await probeTls(target(iot.port, as(stranger, foreignCa)), TIMEOUTS);

    // Assess
    expect(outcome.result).toBe('refused');
  });

  it('is refused during the handshake by a TLS 1.2 server, after the key exchange', async () => {
    // Act
    const good = await probeTls(target(iotTls12.port), TIMEOUTS);
    const bad = await probeTls(target(iotTls12.port, as(stranger, foreignCa)), TIMEOUTS);

    // Assess
    expect(good).toEqual({ result: 'accepted', protocol: 'TLSv1.2', alpn: false });
    expect(bad.result).toBe('refused');
  });

  it('is accepted on the 443 listener with ALPN x-amzn-mqtt-ca, and says when the server refuses or ignores the ALPN', async () => {
    // Act
    const withAlpn = await probeTls(target(iotAlpn.port, { alpn: ALPN }), TIMEOUTS);
    const otherProtocol = await probeTls(target(iotAlpn.port, { alpn: 'mqtt' }), TIMEOUTS);
    const noAlpnThere = await probeTls(target(iot.port, { alpn: ALPN }), TIMEOUTS);

    // Assess
    expect(withAlpn).toEqual({ result: 'accepted', protocol: 'TLSv1.3', alpn: ALPN });
    expect(otherProtocol).toEqual({ result: 'alpn_refused' });
    expect(noAlpnThere).toEqual({ result: 'alpn_refused' });
  });

  it('does not trust a server whose certificate is not from the CA registration delivered (TLS interception)', async () => {
    // Act
    const outcome = await probeTls(target(iot.port, { caPem: foreignCa.certPem }), TIMEOUTS);

    // Assess
    expect(outcome).toEqual({ result: 'untrusted', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('fails before any key exchange when the server name is not the endpoint, without blaming the certificate', async () => {
    // Act
    const outcome = await probeTls(
      target(iot.port, { serverName: 'other-ats.iot.eu-west-1.amazonaws.com' }),
      TIMEOUTS,
    );

    // Assess
    expect(outcome.result).toBe('unreachable');
  });
});

describe('probeTls on a blocked or missing path', () => {
  it('times out on a port that takes the connection and never answers', async () => {
    // Act
    const started = Date.now();
    const outcome = await probeTls(target(silent.port), { timeoutMs: 300, verdictMs: 100 });

    // Assess
    expect(outcome).toEqual({ result: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('is unreachable on a closed port and on a host that does not resolve', async () => {
    // Act
    const refused = await probeTls(target(await closedPort()), TIMEOUTS);
    const unknown = await probeTls({ ...target(8883), host: 'nowhere.invalid' }, TIMEOUTS);

    // Assess
    expect(refused).toEqual({ result: 'unreachable', code: 'ECONNREFUSED' });
    expect(unknown.result).toBe('unreachable');
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain((unknown as { code: string }).code);
  });
});

describe('probeTls against a Node TLS server (the local edge’s broker)', () => {
  it('is accepted as soon as the session ticket shows the server took the certificate', async () => {
    // Act
    const started = Date.now();
    const outcome = await probeTls(target((localBroker.address() as AddressInfo).port), {
      timeoutMs: 5000,
      verdictMs: 4000,
    });

    // Assess
    expect(outcome).toMatchObject({ result: 'accepted', protocol: 'TLSv1.3' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('is refused for a foreign certificate, which the TLS 1.3 handshake alone would have let pass', async () => {
    // Act
    const outcome = await probeTls(
      target((localBroker.address() as AddressInfo).port, as(stranger, foreignCa)),
      TIMEOUTS,
    );

    // Assess
    expect(outcome.result).toBe('refused');
  });
});
