import { randomUUID } from 'node:crypto';
import {
  type IssuedMessage,
  issuedMessageSchema,
  parseMessage,
} from '../../lambdas/core/delivery/messages.ts';
import type { Clock, Logger } from '../../lambdas/core/ports.ts';
import type { RenewalOptions } from '../config/agentConfig.ts';
import { certificateForKey, type TlsCredentials } from '../credentials/AgentCredentials.ts';

export interface CertificateRenewerDeps {
  readonly agentId: string;
  readonly options: RenewalOptions;
  readonly current: () => TlsCredentials;
  /** Publishes `{ requestId, csrPem }` on the agent's `cert/csr` topic (QoS 1). */
  readonly sendCsr: (payload: string) => Promise<void>;
  /** Persists the new key and certificate together (see installCredentials). */
  readonly install: (credentials: TlsCredentials, csrPem: string) => void;
  /** Reconnects the tunnel with the installed credentials; resolves once connected. */
  readonly reconnect: () => Promise<void>;
  readonly logger: Logger;
  readonly clock: Clock;
}

interface PendingRequest {
  readonly requestId: string;
  readonly resolve: (message: IssuedMessage) => void;
}

/**
 * Renews the agent's 24 h certificate over the tunnel before it runs out: once less than
 * `remainingFraction` of its lifetime is left (a third by default: after about 16 h), it generates a
 * NEW key and CSR here, sends the CSR on `cert/csr`, waits for the reply on `cert/issued`, checks the
 * certificate is for the new key, installs key and certificate together, and reconnects with them.
 * The new private key never leaves the machine. Failures are retried at the next check.
 *
 * @example
 * const renewer = new CertificateRenewer(deps);
 * renewer.start();                              // checks every `checkIntervalMs`
 * tunnel.onMessage = (topic, p) => topic === topics.issued && renewer.accept(p);
 */
export class CertificateRenewer {
  readonly #deps: CertificateRenewerDeps;
  #timer: NodeJS.Timeout | undefined;
  #pending: PendingRequest | undefined;
  #running: Promise<boolean> | undefined;

  constructor(deps: CertificateRenewerDeps) {
    this.#deps = deps;
  }

  /** True when less than the configured fraction of the current certificate's lifetime remains. */
  isDue(now: number = this.#deps.clock.now()): boolean {
    const { notBefore, notAfter } = this.#deps.current();
    return notAfter - now < (notAfter - notBefore) * this.#deps.options.remainingFraction;
  }

  /** Checks now and then every `checkIntervalMs`. */
  start(): void {
    if (this.#timer) return;
    const tick = () => {
      if (this.isDue()) void this.renew();
    };
    this.#timer = setInterval(tick, this.#deps.options.checkIntervalMs);
    this.#timer.unref();
    tick();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#pending?.resolve({ requestId: this.#pending.requestId, error: 'stopped' });
  }

  /** Handles a message from `cert/issued`; replies to other requests are ignored. */
  accept(payload: Uint8Array): void {
    let message: IssuedMessage;
    try {
      message = parseMessage(issuedMessageSchema, payload, 'issued');
    } catch (error) {
      this.#deps.logger.warn('renewal_reply_invalid', { error: (error as Error).message });
      return;
    }
    if (message.requestId === this.#pending?.requestId) this.#pending.resolve(message);
  }

  /** One renewal; resolves true when the new certificate is installed and the tunnel reconnected. */
  renew(): Promise<boolean> {
    this.#running ??= this.#renew().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #renew(): Promise<boolean> {
    const { logger, agentId } = this.#deps;
    // The CSR encoder (ASN.1 libraries) loads only when a renewal starts, a few times a day: a
    // long-running agent doesn't carry it in memory in between.
    const { createTlsKeyAndCsr } = await import('../credentials/createTlsKeyAndCsr.ts');
    const { privateKeyPem, csrPem } = createTlsKeyAndCsr(agentId);
    const requestId = randomUUID();
    const reply = new Promise<IssuedMessage>((resolve) => {
      this.#pending = { requestId, resolve };
    });
    let timeout: NodeJS.Timeout | undefined;
    logger.info('renewal_requested', {
      requestId,
      notAfter: new Date(this.#deps.current().notAfter).toISOString(),
    });
    try {
      await this.#deps.sendCsr(JSON.stringify({ requestId, csrPem }));
      // Counted from when the CSR left: sending waits for the tunnel, however long it is down.
      timeout = setTimeout(
        () => this.#pending?.resolve({ requestId, error: 'no reply from the edge in time' }),
        this.#deps.options.replyTimeoutMs,
      );
      const message = await reply;
      if (message.error !== undefined || !message.certificatePem || !message.caChainPem) {
        logger.warn('renewal_failed', { requestId, reason: message.error ?? 'reply without a certificate' });
        return false;
      }
      let validity: { notBefore: number; notAfter: number };
      try {
        validity = certificateForKey(message.certificatePem, privateKeyPem);
      } catch (error) {
        logger.error('renewal_failed', { requestId, reason: (error as Error).message });
        return false;
      }
      if (validity.notAfter <= this.#deps.clock.now()) {
        logger.error('renewal_failed', { requestId, reason: 'the issued certificate has already expired' });
        return false;
      }
      this.#deps.install(
        {
          keyPem: privateKeyPem,
          certificatePem: message.certificatePem,
          caChainPem: message.caChainPem,
          ...validity,
        },
        csrPem,
      );
      logger.info('certificate_installed', {
        requestId,
        notAfter: new Date(validity.notAfter).toISOString(),
      });
      await this.#deps.reconnect();
      return true;
    } catch (error) {
      logger.warn('renewal_failed', { requestId, reason: (error as Error).message });
      return false;
    } finally {
      clearTimeout(timeout);
      this.#pending = undefined;
    }
  }
}
