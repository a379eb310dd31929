import { ENVELOPE_KEY_SCHEDULE_CONTEXT } from './envelopeFormat.ts';
import { type SenderSetup, setupBaseS } from './hpke/hpkeContext.ts';

/** Runs `task` later, once the work in hand is done. */
export type ScheduleTask = (task: () => void) => void;

/**
 * Waits a millisecond, with the process free to exit: by then the webhook whose sealing asked for the next
 * setup has been answered and published, so preparing one never sits on a webhook's path.
 */
const afterCurrentWork: ScheduleTask = (task) => {
  setTimeout(task, 1).unref();
};

/** What sealing uses of a sender setup: the encapsulated key, and the AEAD key and base nonce. */
export type SealingSetup = Pick<SenderSetup, 'enc' | 'keys'>;

interface Recipient {
  readonly id: string;
  /** The reserve's own copy: the same bytes each time, so the imported key is cached once. */
  readonly publicKey: Uint8Array;
  prepared: SealingSetup | undefined;
}

/**
 * HPKE sender setups prepared ahead, one per recipient, for a long-running ingress.
 *
 * Sealing to an agent costs an X25519 key pair, an agreement with the agent's public key and the key
 * schedule before the one AEAD pass over the webhook; none of it depends on the webhook. A long-running
 * ingress (the local edge) takes the setup prepared after the previous webhook to the same agent and
 * prepares the next one off the webhook's path, so a webhook at a steady rate waits for the AEAD pass only.
 * A burst seals as before: only the first webhook finds a prepared setup, the others set up their own.
 *
 * Every setup is handed out once (it is removed before it is returned) and holds only what sealing uses
 * (the encapsulated key and the AEAD key and nonce: neither the ephemeral private key nor the KEM's shared
 * secret is kept). It keeps the `maxRecipients` recipients taken for most recently. Not for a Lambda: it
 * freezes once it has answered, so nothing would be prepared between invocations.
 *
 * @example
 * const setups = new SenderSetupReserve();
 * sealRequest({ recipientPublicKey, binding, request, setups });
 */
export class SenderSetupReserve {
  /** In the order they were last taken for, least recent first. */
  readonly #recipients = new Map<string, Recipient>();
  readonly #maxRecipients: number;
  readonly #schedule: ScheduleTask;
  #scheduled = false;

  constructor(options: { maxRecipients?: number; schedule?: ScheduleTask } = {}) {
    const maxRecipients = options.maxRecipients ?? 256;
    if (!Number.isInteger(maxRecipients) || maxRecipients < 1) {
      throw new RangeError('maxRecipients must be a positive integer');
    }
    this.#maxRecipients = maxRecipients;
    this.#schedule = options.schedule ?? afterCurrentWork;
  }

  /** How many recipients have a setup prepared now. */
  get size(): number {
    let n = 0;
    for (const recipient of this.#recipients.values()) if (recipient.prepared) n++;
    return n;
  }

  /**
   * The setup prepared for this recipient if there is one, else a fresh one; either way it is never
   * handed out again, and the next one for this recipient is prepared later. Throws what `setupBaseS`
   * throws for a key that isn't a usable X25519 public key (and then prepares nothing).
   */
  take(recipientPublicKey: Uint8Array): SealingSetup {
    const id = Buffer.from(
      recipientPublicKey.buffer,
      recipientPublicKey.byteOffset,
      recipientPublicKey.byteLength,
    ).toString('latin1');
    let recipient = this.#recipients.get(id);
    let setup: SealingSetup;
    if (recipient?.prepared) {
      setup = recipient.prepared;
      recipient.prepared = undefined;
    } else {
      setup = setupBaseS(recipient?.publicKey ?? recipientPublicKey, ENVELOPE_KEY_SCHEDULE_CONTEXT);
    }
    if (recipient) {
      this.#recipients.delete(id);
    } else {
      // A copy: the caller's buffer may be reused by the time the next setup is prepared.
      recipient = { id, publicKey: Uint8Array.from(recipientPublicKey), prepared: undefined };
    }
    this.#recipients.set(id, recipient);
    if (this.#recipients.size > this.#maxRecipients) {
      const [, oldest] = this.#recipients.entries().next().value as [string, Recipient];
      this.#recipients.delete(oldest.id);
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#schedule(() => this.#prepare());
    }
    return setup;
  }

  /** Prepares a setup for every recipient whose last one was taken. */
  #prepare(): void {
    this.#scheduled = false;
    for (const recipient of this.#recipients.values()) {
      if (recipient.prepared) continue;
      try {
        const { enc, keys } = setupBaseS(recipient.publicKey, ENVELOPE_KEY_SCHEDULE_CONTEXT);
        recipient.prepared = { enc, keys };
      } catch {
        // `take` set this key up a moment ago; should it fail now, the next `take` sets up (and reports) itself.
      }
    }
  }
}
