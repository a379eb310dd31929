import { describe, expect, it } from 'vitest';
import {
  ackMessageSchema,
  budgetAlertMessageSchema,
  controlMessageSchema,
  csrMessageSchema,
  issuedMessageSchema,
  parseMessage,
} from '../../../../lambdas/core/delivery/messages.ts';
import { BadRequestError } from '../../../../lambdas/core/errors.ts';

const MAX_BYTES = 16 * 1024;
const bytes = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');

const ack = {
  envelopeId: '0f0e5c1e-8f4b-4a53-9d4b-6f1c1f6f2f9a',
  statusCode: 204,
  attempts: 1,
  latencyMs: 40,
};
const csr = {
  requestId: 'renew-1767225600',
  csrPem:
    '-----BEGIN CERTIFICATE REQUEST-----\nMIIBDzCBtgIBADBUMRUwEwYDVQQDDAxsYXB0b3A=\n-----END CERTIFICATE REQUEST-----\n',
};
const issued = {
  requestId: 'renew-1767225600',
  certificatePem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  caChainPem: '-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n',
  notAfter: 1_767_312_000_000,
};
const control = { type: 'revoked', at: 1_767_225_600_000 };
const alert = {
  type: 'budget-alert',
  alertId: 'alrt_Q2xhd1B1bHNhckFsZXJ0',
  budgetId: 'openai-prod',
  budgetName: 'OpenAI production',
  provider: 'openai',
  kind: 'threshold',
  thresholdId: 'p80',
  basis: 'actual',
  amountMicros: 81_250_000,
  limitMicros: 100_000_000,
  percent: 81.3,
  forecast: { p50Micros: 104_000_000, p90Micros: 118_000_000, dailyRateMicros: 3_400_000 },
  period: {
    kind: 'month',
    key: '2026-01',
    startMs: 1_767_225_600_000,
    endMs: 1_769_904_000_000,
    timeZone: 'Europe/Paris',
  },
  subject: 'OpenAI production: 81% of the monthly budget spent',
  text: 'OpenAI production has spent $81.25 of $100.00 this month (81.3%).',
  next: 'Check what your agents are doing, or raise the budget with `clawpulsar budget add`.',
  at: 1_768_464_000_000,
};

/** Calls parseMessage and returns the BadRequestError it throws. */
function refusal(run: () => unknown): BadRequestError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return error as BadRequestError;
  }
  throw new Error('parseMessage accepted the message');
}

describe('parseMessage', () => {
  it.each([
    ['an ack', ackMessageSchema, ack],
    ['an ack with a reason', ackMessageSchema, { ...ack, statusCode: 0, reason: 'no route for this source' }],
    [
      'an ack at its bounds',
      ackMessageSchema,
      { ...ack, statusCode: 599, attempts: 1_000_000, latencyMs: 604_800_000 },
    ],
    ['a certificate request', csrMessageSchema, csr],
    ['an issued certificate', issuedMessageSchema, issued],
    ['an issuance error', issuedMessageSchema, { requestId: 'renew-1', error: 'The CSR key is not P-256' }],
    ['a revocation', controlMessageSchema, control],
    ['a superseded certificate', controlMessageSchema, { type: 'certificate-superseded', at: 1 }],
    ['a budget alert', budgetAlertMessageSchema, alert],
    [
      'a burn-rate alert from a simulated provider',
      budgetAlertMessageSchema,
      { ...alert, kind: 'burn_rate', thresholdId: undefined, basis: undefined, simulated: true },
    ],
  ] as const)('accepts %s and returns it as parsed', (_name, schema, value) => {
    // Prepare
    const expected = JSON.parse(JSON.stringify(value)) as unknown;

    // Act
    const parsed = parseMessage(schema as typeof ackMessageSchema, bytes(value), 'test');

    // Assess
    expect(parsed).toEqual(expected);
  });

  it('reads a payload that is a view into a larger buffer', () => {
    // Prepare: an MQTT client may hand over a slice of its receive buffer.
    const json = JSON.stringify(ack);
    const frame = Buffer.from(`GARBAGE${json}GARBAGE`);
    const payload = frame.subarray(7, 7 + json.length);

    // Act
    const parsed = parseMessage(ackMessageSchema, payload, 'ack');

    // Assess
    expect(parsed).toEqual(ack);
  });

  it('accepts a message of exactly 16 KiB and refuses one byte more before parsing it', () => {
    // Prepare: JSON allows trailing whitespace, so the same ack can be padded to any size.
    const json = JSON.stringify(ack);
    const atLimit = Buffer.from(json.padEnd(MAX_BYTES, ' '));
    const over = Buffer.from(json.padEnd(MAX_BYTES + 1, ' '));

    // Act
    const parsed = parseMessage(ackMessageSchema, atLimit, 'ack');
    const error = refusal(() => parseMessage(ackMessageSchema, over, 'ack'));

    // Assess
    expect(parsed).toEqual(ack);
    expect(error.code).toBe('message_too_large');
    expect(error.status).toBe(400);
    expect(error.message).toBe('ack message is over 16384 bytes');
  });

  it.each([
    ['an empty payload', ''],
    ['text', 'delivered'],
    ['truncated JSON', '{"envelopeId":"e-1","statusCode":204'],
    ['JSON with a byte-order mark', `\uFEFF${JSON.stringify(ack)}`],
    ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x7b, 0x7d])],
  ])('refuses %s as invalid JSON', (_name, payload) => {
    // Act
    const error = refusal(() =>
      parseMessage(ackMessageSchema, typeof payload === 'string' ? bytes(payload) : payload, 'ack'),
    );

    // Assess
    expect(error.code).toBe('invalid_json');
    expect(error.message).toBe('ack message is not valid JSON');
  });

  it.each([
    ['null', 'null', 'message: Invalid input: expected object, received null'],
    ['an array', '[]', 'message: Invalid input: expected object, received array'],
    ['a number', '204', 'message: Invalid input: expected object, received number'],
    ['a string', '"ok"', 'message: Invalid input: expected object, received string'],
  ])('refuses JSON that is not an object (%s) with a clear error', (_name, payload, detail) => {
    // Act
    const error = refusal(() => parseMessage(ackMessageSchema, bytes(payload), 'ack'));

    // Assess
    expect(error.code).toBe('invalid_message');
    expect(error.message).toBe(`ack message: ${detail}`);
  });

  describe('refuses a message that does not match its schema, naming the field and never echoing a value', () => {
    const canary = 'CANARY-value-5c2e';
    it.each([
      [
        'an ack with an agent id claim',
        ackMessageSchema,
        { ...ack, agentId: canary },
        'message',
        /Unrecognized key: "agentId"/,
      ],
      [
        'an ack with a __proto__ key',
        ackMessageSchema,
        `{"__proto__":{"x":"${canary}"},${JSON.stringify(ack).slice(1)}`,
        'message',
        /Unrecognized key/,
      ],
      [
        'an ack without an envelope id',
        ackMessageSchema,
        { ...ack, envelopeId: undefined },
        'envelopeId',
        /expected string/,
      ],
      [
        'an ack with an empty envelope id',
        ackMessageSchema,
        { ...ack, envelopeId: '' },
        'envelopeId',
        /Too small/,
      ],
      [
        'an ack with a 256-character envelope id',
        ackMessageSchema,
        { ...ack, envelopeId: 'e'.repeat(256) },
        'envelopeId',
        /Too big/,
      ],
      [
        'an ack with the status as a string',
        ackMessageSchema,
        { ...ack, statusCode: canary },
        'statusCode',
        /expected number/,
      ],
      [
        'an ack with a fractional status',
        ackMessageSchema,
        { ...ack, statusCode: 204.5 },
        'statusCode',
        /expected int/,
      ],
      [
        'an ack with a negative status',
        ackMessageSchema,
        { ...ack, statusCode: -1 },
        'statusCode',
        /Too small/,
      ],
      ['an ack with status 600', ackMessageSchema, { ...ack, statusCode: 600 }, 'statusCode', /Too big/],
      ['an ack with zero attempts', ackMessageSchema, { ...ack, attempts: 0 }, 'attempts', /Too small/],
      [
        'an ack with over a million attempts',
        ackMessageSchema,
        { ...ack, attempts: 1_000_001 },
        'attempts',
        /Too big/,
      ],
      [
        'an ack with a negative latency',
        ackMessageSchema,
        { ...ack, latencyMs: -1 },
        'latencyMs',
        /Too small/,
      ],
      [
        'an ack with a latency over a week',
        ackMessageSchema,
        { ...ack, latencyMs: 604_800_001 },
        'latencyMs',
        /Too big/,
      ],
      [
        'an ack with a 201-character reason',
        ackMessageSchema,
        { ...ack, reason: 'r'.repeat(201) },
        'reason',
        /Too big/,
      ],
      [
        'an ack with a reason that is not text',
        ackMessageSchema,
        { ...ack, reason: { text: canary } },
        'reason',
        /expected string/,
      ],
      [
        'a CSR with an extra field',
        csrMessageSchema,
        { ...csr, keyPem: canary },
        'message',
        /Unrecognized key: "keyPem"/,
      ],
      ['a CSR without its PEM', csrMessageSchema, { requestId: 'r-1' }, 'csrPem', /expected string/],
      [
        'a CSR over 8 KiB',
        csrMessageSchema,
        { ...csr, csrPem: 'A'.repeat(8 * 1024 + 1) },
        'csrPem',
        /Too big/,
      ],
      [
        'a CSR with a 65-character request id',
        csrMessageSchema,
        { ...csr, requestId: 'r'.repeat(65) },
        'requestId',
        /Too big/,
      ],
      [
        'an issued message without a request id',
        issuedMessageSchema,
        { certificatePem: 'x' },
        'requestId',
        /expected string/,
      ],
      [
        'an issued message with a fractional notAfter',
        issuedMessageSchema,
        { ...issued, notAfter: 1.5 },
        'notAfter',
        /expected int/,
      ],
      [
        'an issued message with an extra field',
        issuedMessageSchema,
        { ...issued, privateKeyPem: canary },
        'message',
        /Unrecognized key: "privateKeyPem"/,
      ],
      [
        'an issued message with a 501-character error',
        issuedMessageSchema,
        { requestId: 'r', error: 'e'.repeat(501) },
        'error',
        /Too big/,
      ],
      [
        'a control message of an unknown type',
        controlMessageSchema,
        { type: canary, at: 1 },
        'type',
        /Invalid option/,
      ],
      [
        'a control message without a time',
        controlMessageSchema,
        { type: 'revoked' },
        'at',
        /expected number/,
      ],
      [
        'a control message with an extra field',
        controlMessageSchema,
        { ...control, command: canary },
        'message',
        /Unrecognized key: "command"/,
      ],
      [
        'an alert of another type',
        budgetAlertMessageSchema,
        { ...alert, type: 'spend-report' },
        'type',
        /Invalid input/,
      ],
      [
        'an alert with a malformed id',
        budgetAlertMessageSchema,
        { ...alert, alertId: `alrt_${canary}!` },
        'alertId',
        /Invalid string/,
      ],
      [
        'an alert of an unknown kind',
        budgetAlertMessageSchema,
        { ...alert, kind: 'anomaly' },
        'kind',
        /Invalid option/,
      ],
      [
        'an alert with fractional micro-dollars',
        budgetAlertMessageSchema,
        { ...alert, amountMicros: 0.5 },
        'amountMicros',
        /expected int/,
      ],
      [
        'an alert with micro-dollars past 2^53',
        budgetAlertMessageSchema,
        { ...alert, limitMicros: 2 ** 53 },
        'limitMicros',
        /Too big/,
      ],
      [
        'an alert with a negative percentage',
        budgetAlertMessageSchema,
        { ...alert, percent: -0.1 },
        'percent',
        /Too small/,
      ],
      [
        'an alert with an extra forecast field',
        budgetAlertMessageSchema,
        { ...alert, forecast: { ...alert.forecast, p99Micros: 1 } },
        'forecast',
        /Unrecognized key: "p99Micros"/,
      ],
      [
        'an alert with an unknown period kind',
        budgetAlertMessageSchema,
        { ...alert, period: { ...alert.period, kind: 'year' } },
        'period.kind',
        /Invalid option/,
      ],
      [
        'an alert with a 4001-character text',
        budgetAlertMessageSchema,
        { ...alert, text: 't'.repeat(4001) },
        'text',
        /Too big/,
      ],
      [
        'an alert with an empty next step',
        budgetAlertMessageSchema,
        { ...alert, next: '' },
        'next',
        /Too small/,
      ],
      [
        'an alert with an extra field',
        budgetAlertMessageSchema,
        { ...alert, command: canary },
        'message',
        /Unrecognized key: "command"/,
      ],
    ] as const)('%s', (_name, schema, value, where, detail) => {
      // Act
      const error = refusal(() => parseMessage(schema as typeof ackMessageSchema, bytes(value), 'test'));

      // Assess
      expect(error.code).toBe('invalid_message');
      expect(error.status).toBe(400);
      expect(error.message.startsWith(`test message: ${where}: `)).toBe(true);
      expect(error.message).toMatch(detail);
      expect(error.message).not.toContain(canary);
    });
  });
});
