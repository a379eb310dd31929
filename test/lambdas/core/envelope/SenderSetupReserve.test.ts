import { describe, expect, it } from 'vitest';
import { ENVELOPE_KEY_SCHEDULE_CONTEXT } from '../../../../lambdas/core/envelope/envelopeFormat.ts';
import { setupBaseR } from '../../../../lambdas/core/envelope/hpke/hpkeContext.ts';
import {
  generateSealingKeyPair,
  type SealingKeyPair,
  type SealingSetup,
  SenderSetupReserve,
} from '../../../../lambdas/core/envelope/index.ts';

/** A schedule that runs nothing until the test says so. */
function manualSchedule() {
  const tasks: (() => void)[] = [];
  return {
    schedule: (task: () => void) => {
      tasks.push(task);
    },
    get pending() {
      return tasks.length;
    },
    runAll() {
      for (const task of tasks.splice(0)) task();
    },
  };
}

/** The recipient's side of RFC 9180: the setup is usable exactly when the recipient derives the same keys. */
function expectOpensFor(recipient: SealingKeyPair, setup: SealingSetup): void {
  const keys = setupBaseR(setup.enc, recipient.privateKey, ENVELOPE_KEY_SCHEDULE_CONTEXT);
  expect(keys.key.equals(setup.keys.key)).toBe(true);
  expect(keys.baseNonce.equals(setup.keys.baseNonce)).toBe(true);
}

describe('SenderSetupReserve', () => {
  it('sets up on the spot when nothing is prepared, for the recipient it was asked for', () => {
    // Prepare
    const recipient = generateSealingKeyPair();
    const reserve = new SenderSetupReserve({ schedule: manualSchedule().schedule });

    // Act
    const setup = reserve.take(recipient.publicKey);

    // Assess
    expectOpensFor(recipient, setup);
    expect(reserve.size).toBe(0);
  });

  it('prepares the next setup for a recipient later, and hands it out on the next take', () => {
    // Prepare
    const recipient = generateSealingKeyPair();
    const later = manualSchedule();
    const reserve = new SenderSetupReserve({ schedule: later.schedule });
    const first = reserve.take(recipient.publicKey);

    // Act
    const preparedBeforeTask = reserve.size;
    later.runAll();
    const preparedAfterTask = reserve.size;
    const second = reserve.take(recipient.publicKey);

    // Assess
    expect(preparedBeforeTask).toBe(0);
    expect(preparedAfterTask).toBe(1);
    expect(reserve.size).toBe(0);
    expectOpensFor(recipient, second);
    expect(second.enc.equals(first.enc)).toBe(false);
    // Kept while it waits: what sealing uses, not the KEM's shared secret.
    expect(Object.keys(second).sort()).toEqual(['enc', 'keys']);
  });

  it('never hands out the same setup twice, however takes and preparation interleave', () => {
    // Prepare
    const recipients = [generateSealingKeyPair(), generateSealingKeyPair()];
    const later = manualSchedule();
    const reserve = new SenderSetupReserve({ schedule: later.schedule });
    const seen = new Set<string>();

    // Act
    for (let i = 0; i < 60; i++) {
      const recipient = recipients[i % 2] as SealingKeyPair;
      const setup = reserve.take(recipient.publicKey);
      expectOpensFor(recipient, setup);
      seen.add(setup.enc.toString('hex'));
      if (i % 3 === 0) later.runAll();
    }

    // Assess
    expect(seen.size).toBe(60);
  });

  it('schedules one preparation for all the takes made before it runs', () => {
    // Prepare
    const later = manualSchedule();
    const reserve = new SenderSetupReserve({ schedule: later.schedule });
    const recipients = [generateSealingKeyPair(), generateSealingKeyPair(), generateSealingKeyPair()];

    // Act
    for (const recipient of recipients) {
      reserve.take(recipient.publicKey);
      reserve.take(recipient.publicKey);
    }
    const scheduled = later.pending;
    later.runAll();

    // Assess
    expect(scheduled).toBe(1);
    expect(reserve.size).toBe(3);
  });

  it('keeps the maxRecipients recipients taken for most recently', () => {
    // Prepare
    const later = manualSchedule();
    const reserve = new SenderSetupReserve({ maxRecipients: 2, schedule: later.schedule });
    const [a, b, c] = [generateSealingKeyPair(), generateSealingKeyPair(), generateSealingKeyPair()];
    for (const recipient of [a, b, c]) reserve.take(recipient.publicKey);
    later.runAll();

    // Act
    const afterPreparing = reserve.size; // b and c: a was dropped when c came
    reserve.take(a.publicKey); // set up on the spot; b, now the least recent, is dropped
    const afterTakingA = reserve.size;
    reserve.take(c.publicKey); // still prepared: consumed
    const afterTakingC = reserve.size;
    later.runAll();

    // Assess
    expect(afterPreparing).toBe(2);
    expect(afterTakingA).toBe(1);
    expect(afterTakingC).toBe(0);
    expect(reserve.size).toBe(2);
  });

  it("prepares for the key it was given even when the caller's buffer is reused before the task runs", () => {
    // Prepare
    const later = manualSchedule();
    const reserve = new SenderSetupReserve({ schedule: later.schedule });
    const recipient = generateSealingKeyPair();
    const other = generateSealingKeyPair();
    const buffer = Buffer.from(recipient.publicKey);
    reserve.take(buffer);
    buffer.set(other.publicKey);

    // Act
    later.runAll();
    const setup = reserve.take(recipient.publicKey);

    // Assess
    expect(reserve.size).toBe(0);
    expectOpensFor(recipient, setup);
  });

  it('throws for a key that is not a usable X25519 public key, and prepares nothing', () => {
    // Prepare
    const later = manualSchedule();
    const reserve = new SenderSetupReserve({ schedule: later.schedule });
    const lowOrderPoint = Buffer.alloc(32); // the all-zero point: the agreement would be all zeros

    // Act
    const act = () => reserve.take(lowOrderPoint);

    // Assess
    expect(act).toThrow();
    expect(later.pending).toBe(0);
    expect(reserve.size).toBe(0);
  });

  it('refuses a maxRecipients that is not a positive integer', () => {
    for (const maxRecipients of [0, -1, 1.5, Number.NaN]) {
      // Act
      const act = () => new SenderSetupReserve({ maxRecipients });

      // Assess
      expect(act).toThrow(/maxRecipients must be a positive integer/);
    }
  });

  it('by default prepares once the work in hand is done, without holding the process open', async () => {
    // Prepare
    const reserve = new SenderSetupReserve();
    const recipient = generateSealingKeyPair();

    // Act
    reserve.take(recipient.publicKey);
    const preparedAtOnce = reserve.size;
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Assess
    expect(preparedAtOnce).toBe(0);
    expect(reserve.size).toBe(1);
  });
});
