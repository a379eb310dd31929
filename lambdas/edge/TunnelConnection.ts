import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { AgentTopicGrants } from './AgentTopicGrants.ts';
import { MqttPacketSizeGuard } from './MqttPacketSizeGuard.ts';

/** What the verified client certificate says about the peer. */
export interface TunnelPeer {
  readonly agentId: string;
  /** Lower-case hex, as the CA records it. */
  readonly serialNumber: string;
  /** When the certificate expires (ms since the epoch). */
  readonly notAfter: number;
}

/** Thrown into the stream when the peer announces a packet over the inbound limit. */
export class PacketTooLargeError extends Error {
  override name = 'PacketTooLargeError';
  constructor(limit: number) {
    super(`MQTT packet over the ${limit}-byte inbound limit`);
  }
}

/**
 * One agent's TLS connection as aedes sees it: a duplex over the TLS socket that carries the identity
 * read from the peer certificate (with the topics it grants) and a per-connection session id, and drops the connection as soon as
 * the peer announces an MQTT packet over the inbound limit (the parser inside aedes has no limit of its
 * own). Bytes pass through untouched in both directions; writes are forwarded corked so a PUBLISH that
 * MQTT encodes in several pieces leaves as one TLS record batch.
 *
 * @example
 * const conn = new TunnelConnection(tlsSocket, peer, randomUUID(), 256 * 1024);
 * broker.handle(conn);
 */
export class TunnelConnection extends Duplex {
  /** Undefined when the certificate did not name a valid agent; the broker then refuses the CONNECT. */
  readonly peer: TunnelPeer | undefined;
  /** The topics the peer may use; undefined exactly when `peer` is. */
  readonly grants: AgentTopicGrants | undefined;
  /** Unique per connection: presence tells an old connection's disconnect from a newer connection's. */
  readonly sessionId: string;
  readonly #socket: TLSSocket;
  readonly #guard: MqttPacketSizeGuard;
  #pendingWrite: ((error?: Error | null) => void) | undefined;

  constructor(
    socket: TLSSocket,
    peer: TunnelPeer | undefined,
    sessionId: string,
    maxInboundPacketBytes: number,
  ) {
    super({ allowHalfOpen: false });
    this.peer = peer;
    this.grants = peer ? new AgentTopicGrants(peer.agentId) : undefined;
    this.sessionId = sessionId;
    this.#socket = socket;
    this.#guard = new MqttPacketSizeGuard(maxInboundPacketBytes);
    socket.on('data', (chunk: Buffer) => {
      if (!this.#guard.accept(chunk)) {
        this.destroy(new PacketTooLargeError(this.#guard.maxPacketBytes));
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('drain', () => {
      const callback = this.#pendingWrite;
      this.#pendingWrite = undefined;
      callback?.();
    });
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  /** The TLS socket underneath, for the broker's bookkeeping. */
  get socket(): TLSSocket {
    return this.#socket;
  }

  override _read(): void {
    this.#socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#socket.write(chunk)) callback();
    else this.#pendingWrite = callback;
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    const socket = this.#socket;
    socket.cork();
    let flushed = true;
    for (const { chunk } of chunks) flushed = socket.write(chunk);
    socket.uncork();
    if (flushed) callback();
    else this.#pendingWrite = callback;
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#socket.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#socket.destroy();
    callback(error);
  }
}
