import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AckDeps, handleAck } from '../../../../lambdas/core/delivery/handleAck.ts';
import { BadRequestError } from '../../../../lambdas/core/errors.ts';
import type { DeliveryLog, DeliveryLogEntry } from '../../../../lambdas/core/ports.ts';
import {
  type QueuedFixtureEnvelope,
  type RelayFixture,
  relayFixture,
} from '../../../support/relayFixture.ts';

let f: RelayFixture;
let deps: AckDeps;
let waiting: QueuedFixtureEnvelope;
beforeEach(async () => {
  f = relayFixture();
  await f.addAgent('laptop');
  await f.addAgent('intruder');
  waiting = await f.enqueueEnvelope('laptop');
  f.clock.advance(1_500);
  deps = { pending: f.queue, deliveryLog: f.deliveryLog, clock: f.clock, logger: f.logger };
});
afterEach(() => f.close());

const ackBytes = (fields: Record<string, unknown>) =>
  Buffer.from(
    JSON.stringify({ envelopeId: waiting.pending.envelopeId, attempts: 1, latencyMs: 40, ...fields }),
  );

/** The relay's state for the waiting envelope: still queued? its delivery-log entry. */
async function state() {
  f.commit();
  const entries = await f.deliveryLog.list({ limit: 10 });
  return { queued: (await f.queue.find(waiting.pending.envelopeId)) !== undefined, log: entries };
}

describe('handleAck', () => {
  it('completes a delivered envelope: the log records status, code, attempts and latency, the queue lets it go', async () => {
    // Act
    const outcome = await handleAck(deps, 'laptop', ackBytes({ statusCode: 204, attempts: 2 }));

    // Assess
    expect(outcome).toBe('delivered');
    const { queued, log } = await state();
    expect(queued).toBe(false);
    expect(log).toEqual<DeliveryLogEntry[]>([
      {
        envelopeId: waiting.pending.envelopeId,
        agentId: 'laptop',
        sourceId: 'github',
        provider: 'github',
        deliveryId: waiting.pending.deliveryId,
        receivedAt: waiting.pending.receivedAt,
        // Which size the entry keeps is the log adapter's choice (SQLite: the body size the ingress logged).
        sizeBytes: expect.any(Number),
        status: 'delivered',
        attempts: 2,
        statusCode: 204,
        latencyMs: 1_500,
        updatedAt: f.clock.now(),
      },
    ]);
    expect(f.logger.lines.at(-1)).toEqual({
      level: 'info',
      event: 'delivery_acked',
      fields: {
        envelopeId: waiting.pending.envelopeId,
        agentId: 'laptop',
        status: 'delivered',
        statusCode: 204,
      },
    });
  });

  it('keeps the larger attempt count of the edge and the agent', async () => {
    // Prepare: the edge published it three times; the agent's first forward succeeded.
    await f.queue.reschedule(waiting.pending.envelopeId, 3, f.clock.now());

    // Act
    await handleAck(deps, 'laptop', ackBytes({ statusCode: 200, attempts: 1 }));

    // Assess
    expect((await state()).log[0]?.attempts).toBe(3);
  });

  it.each([
    [404, 'the target has no such hook'],
    [400, 'the target refused the request'],
    [0, 'the agent refused the target'],
  ])('records %i as a final failure and completes the envelope (%s)', async (statusCode) => {
    // Act
    const outcome = await handleAck(deps, 'laptop', ackBytes({ statusCode, reason: 'status' }));

    // Assess
    expect(outcome).toBe('failed');
    const { queued, log } = await state();
    expect(queued).toBe(false);
    expect(log[0]).toMatchObject({ status: 'failed', statusCode });
  });

  it.each([408, 429, 500, 503])(
    'ignores an ack with retry status %i: the envelope stays queued',
    async (statusCode) => {
      // Act
      const outcome = await handleAck(deps, 'laptop', ackBytes({ statusCode }));

      // Assess
      expect(outcome).toBe('ignored-retry');
      const { queued, log } = await state();
      expect(queued).toBe(true);
      expect(log.map((entry) => entry.status)).toEqual(['queued']);
    },
  );

  it('answers "unknown" for an envelope that is not waiting, and changes nothing', async () => {
    // Act
    const outcome = await handleAck(
      deps,
      'laptop',
      ackBytes({ envelopeId: '6d1c8a4e-0000-4000-8000-000000000000', statusCode: 204 }),
    );

    // Assess
    expect(outcome).toBe('unknown');
    const { queued, log } = await state();
    expect(queued).toBe(true);
    expect(log.map((entry) => entry.status)).toEqual(['queued']);
  });

  it('answers "unknown" to an ack repeated after the envelope was completed', async () => {
    // Prepare
    await handleAck(deps, 'laptop', ackBytes({ statusCode: 204 }));

    // Act
    const outcome = await handleAck(deps, 'laptop', ackBytes({ statusCode: 500 }));

    // Assess
    expect(outcome).toBe('unknown');
    expect((await state()).log[0]?.status).toBe('delivered');
  });

  it("refuses another agent's ack as forbidden and changes nothing", async () => {
    // Act
    const outcome = await handleAck(deps, 'intruder', ackBytes({ statusCode: 204 }));

    // Assess
    expect(outcome).toBe('forbidden');
    const { queued, log } = await state();
    expect(queued).toBe(true);
    expect(log.map((entry) => entry.status)).toEqual(['queued']);
    expect(f.logger.lines.at(-1)).toEqual({
      level: 'warn',
      event: 'ack_forbidden',
      fields: { envelopeId: waiting.pending.envelopeId, agentId: 'intruder' },
    });
  });

  it('never trusts an agent claim in the payload: the field is refused, and the connection decides', async () => {
    // Act
    const claimed = handleAck(deps, 'intruder', ackBytes({ statusCode: 204, agentId: 'laptop' }));
    const unclaimed = await handleAck(deps, 'intruder', ackBytes({ statusCode: 204 }));

    // Assess
    await expect(claimed).rejects.toMatchObject({ code: 'invalid_message' });
    expect(unclaimed).toBe('forbidden');
    expect((await state()).queued).toBe(true);
  });

  describe('refuses a malformed ack with a BadRequestError and changes nothing', () => {
    it.each([
      ['invalid JSON', Buffer.from('{"envelopeId":'), 'invalid_json'],
      ['an ack over 16 KiB', Buffer.from(' '.repeat(16 * 1024 + 1)), 'message_too_large'],
      ['an unknown field', () => ackBytes({ statusCode: 204, body: 'x' }), 'invalid_message'],
      ['a status as text', () => ackBytes({ statusCode: '204' }), 'invalid_message'],
      ['a status over 599', () => ackBytes({ statusCode: 600 }), 'invalid_message'],
      ['no envelope id', Buffer.from('{"statusCode":204,"attempts":1,"latencyMs":1}'), 'invalid_message'],
      ['zero attempts', () => ackBytes({ statusCode: 204, attempts: 0 }), 'invalid_message'],
      ['a JSON array', Buffer.from('[]'), 'invalid_message'],
    ])('%s', async (_name, payload, code) => {
      // Act
      const attempt = handleAck(deps, 'laptop', typeof payload === 'function' ? payload() : payload);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(BadRequestError);
      await expect(attempt).rejects.toMatchObject({ code, status: 400 });
      const { queued, log } = await state();
      expect(queued).toBe(true);
      expect(log.map((entry) => entry.status)).toEqual(['queued']);
    });
  });

  it('leaves the envelope queued when the log write fails, so the redelivered ack records it', async () => {
    // Prepare: a log that fails once, on purpose.
    let failures = 1;
    const flakyLog: DeliveryLog = {
      record: async (entry) => {
        if (failures-- > 0) throw new Error('log table down');
        await f.deliveryLog.record(entry);
      },
    };
    const flakyDeps = { ...deps, deliveryLog: flakyLog };

    // Act
    const first = handleAck(flakyDeps, 'laptop', ackBytes({ statusCode: 204 }));
    await expect(first).rejects.toThrow('log table down');
    const stillQueued = (await state()).queued;
    const second = await handleAck(flakyDeps, 'laptop', ackBytes({ statusCode: 204 }));

    // Assess
    expect(stillQueued).toBe(true);
    expect(second).toBe('delivered');
    const { queued, log } = await state();
    expect(queued).toBe(false);
    expect(log[0]?.status).toBe('delivered');
  });
});
