import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import type { TestCa, TestCertificate } from './opensslCa.ts';

export interface IotCoreStandInOptions {
  /** The name agents use for SNI: `{prefix}-ats.iot.{region}.amazonaws.com`. */
  readonly endpoint: string;
  /** The server certificate for `endpoint`, issued by the CA standing in for Amazon Root CA 1. */
  readonly server: TestCertificate;
  /** The stack's issuing CA, as registered in IoT Core: client certificates must chain to it. */
  readonly registeredCa: TestCa;
  /** The 443 listener: MQTT only for clients that ask for this ALPN protocol. */
  readonly alpn?: string;
  /** Cap the protocol, e.g. to see a TLS 1.2 server judge the client certificate during the handshake. */
  readonly tls12Only?: boolean;
  /** Where it listens; default 127.0.0.1 on a free port. A fixed port such as 443 needs root. */
  readonly host?: string;
  readonly port?: number;
}

export interface IotCoreStandIn {
  readonly port: number;
  /**
   * What s_server printed since it listened: per connection the ALPN protocol it selected, then the bytes
   * the client sent (for an agent, its MQTT CONNECT).
   */
  output(): string;
  close(): Promise<void>;
}

/**
 * IoT Core's MQTT endpoint as a TLS client meets it, played by `openssl s_server` (not our code): a server
 * certificate for the endpoint name, SNI required to be that name (fatal alert otherwise; not on the
 * ALPN listener, where s_server can't do both), a client certificate required and verified against the
 * registered CA (refused with an alert otherwise), ALPN on the 443 listener, and TLS 1.3 without session
 * tickets, so a client can't learn that it was accepted from a ticket. It speaks no MQTT: doctor never does.
 *
 * @example
 * const iot = await startIotCoreStandIn({ endpoint, server, registeredCa });
 */
export async function startIotCoreStandIn(options: IotCoreStandInOptions): Promise<IotCoreStandIn> {
  const { server, registeredCa, endpoint } = options;
  const host = options.host ?? '127.0.0.1';
  const child = spawn(
    'openssl',
    [
      's_server',
      '-accept',
      `${host}:${options.port ?? 0}`,
      '-cert',
      server.certPath,
      '-key',
      server.keyPath,
      // s_server answers the name with a second context that has no ALPN: SNI is enforced without ALPN only.
      ...(options.alpn
        ? ['-alpn', options.alpn]
        : ['-servername', endpoint, '-cert2', server.certPath, '-key2', server.keyPath, '-servername_fatal']),
      '-CAfile',
      registeredCa.certPath,
      '-Verify',
      '1',
      '-verify_return_error',
      '-num_tickets',
      '0',
      '-ign_eof',
      ...(options.tls12Only ? ['-no_tls1_3'] : []),
    ],
    // stdin stays open and unwritten: the server sends nothing and holds each connection until the client
    // leaves.
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const port = await acceptedPort(child, options.port);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('latin1');
  });
  return {
    port,
    output: () => output,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** s_server prints `ACCEPT HOST:PORT` once it listens on a port it chose, and `ACCEPT` on one it was given. */
function acceptedPort(child: ChildProcess, given?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`openssl s_server did not start: ${output}`)), 10_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = given ? /^ACCEPT$/m.exec(output) : /ACCEPT [\d.]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', read);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(given ?? Number(match[1]));
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl s_server exited (${code}): ${output}`));
    });
  });
}

export interface SilentPort {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A port that takes TCP connections and never answers, as a firewall that drops a port's packets looks
 * to a client on this machine: the TLS handshake waits until it times out.
 */
export async function startSilentPort(host = '127.0.0.1'): Promise<SilentPort> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening: a firewall that rejects the port looks like this. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
