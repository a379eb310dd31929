import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../../../../lambdas/core/logging/createJsonLogger.ts';
import { redactingWriter, redactSecretValues } from '../../../../lambdas/core/logging/redactSecretValues.ts';

/** One canary per known shape, each long enough to be unmistakable in any output. */
const CANARIES = {
  registration: 'cpreg_CANARYr3gTok3nAbCdEfGhIjKlMnOpQrStUvWxYz01234',
  management: 'cpm_CANARYm4nAg3mEnTAbCdEfGhIjKlMnOpQrStUvWxYz0123',
  dashboard: 'cpdash_CANARYd4shb0ardC0deAbCdEfGhIjKl',
  stripeSecret: 'whsec_CANARYc2VjcmV0LWZvci1zdHJpcGU=',
  stripeKey: 'sk_live_CANARY51HxYzAbCdEfGhIjKl',
  openai: 'sk-proj-CANARYopenaiKeyAbCdEfGhIjKlMnOp',
  anthropic: 'sk-ant-admin01-CANARYanthropicKeyAbCdEf',
  github: 'ghp_CANARYgithubTokenAbCdEfGhIjKlMn',
  slack: 'xoxb-123456789012-CANARYslack',
  aws: 'AKIAIOSFODNN7CANARY0',
};
const BEARER = 'CANARYbearer.eyJhbGciOiJIUzI1NiJ9.payload';
const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCANARYpemPEMpemPEM',
  '-----END PRIVATE KEY-----',
].join('\n');

describe('redactSecretValues', () => {
  it('replaces every known credential shape, keeping only its kind', () => {
    // Prepare
    const text = Object.values(CANARIES).join(' and ');

    // Act
    const redacted = redactSecretValues(text);

    // Assess
    expect(redacted).not.toContain('CANARY');
    expect(redacted).toBe(
      [
        'cpreg_[redacted]',
        'cpm_[redacted]',
        'cpdash_[redacted]',
        'whsec_[redacted]',
        'sk_live_[redacted]',
        'sk-[redacted]',
        'sk-[redacted]',
        'ghp_[redacted]',
        'xoxb-[redacted]',
        'AKIA[redacted]',
      ].join(' and '),
    );
  });

  it('redacts bearer and basic credentials in header-like text', () => {
    expect(redactSecretValues(`Authorization: Bearer ${BEARER}`)).toBe('Authorization: Bearer [redacted]');
    expect(redactSecretValues('basic dXNlcjpwYXNzd29yZA==')).toBe('basic dXNlcjpwYXNzd29yZA==');
    expect(redactSecretValues('Basic dXNlcjpwYXNzd29yZA==')).toBe('Basic [redacted]');
  });

  it('redacts a PEM private key, whole or cut short, inside a JSON string', () => {
    // Prepare
    const whole = JSON.stringify({ note: `key ${PEM} end` });
    const cut = JSON.stringify({ note: PEM.slice(0, 60), next: 'kept' });

    // Act
    const redactedWhole = redactSecretValues(whole);
    const redactedCut = redactSecretValues(cut);

    // Assess
    expect(JSON.parse(redactedWhole)).toEqual({ note: 'key [redacted private key] end' });
    expect(JSON.parse(redactedCut)).toEqual({ note: '[redacted private key]', next: 'kept' });
  });

  it('finds tokens with a distinctive prefix even when glued to other text', () => {
    expect(redactSecretValues(`x${CANARIES.registration}`)).toBe('xcpreg_[redacted]');
    expect(redactSecretValues(`=${CANARIES.stripeSecret}`)).toBe('=whsec_[redacted]');
    expect(redactSecretValues(`id:${CANARIES.aws}`)).toBe('id:AKIA[redacted]');
  });

  it('leaves ordinary metadata alone', () => {
    const text =
      'agent my-laptop source github delivery 72f1c9e0-1b2c task-1234567890abcdefgh sha256:ab12cd34 desk-0123456789abcdefg';
    expect(redactSecretValues(text)).toBe(text);
  });

  it('keeps a JSON line valid JSON whatever surrounds the secret (property)', () => {
    const secret = fc.constantFrom(...Object.values(CANARIES), `Bearer ${BEARER}`, PEM);
    fc.assert(
      fc.property(fc.string(), secret, fc.string(), fc.string(), (before, canary, after, name) => {
        // Secrets stand apart from the text around them, as in any message.
        const line = JSON.stringify({
          [name]: `${before} ${canary} ${after}`,
          other: [before, { deep: canary }],
        });
        const redacted = redactSecretValues(line);
        expect(() => JSON.parse(redacted)).not.toThrow();
        expect(redacted).not.toContain('CANARY');
      }),
      { numRuns: 500 },
    );
  });
});

describe('redactingWriter', () => {
  it('removes canaries that a logger received under innocent field names', () => {
    // Prepare
    const lines: string[] = [];
    const logger = createJsonLogger(
      redactingWriter((line) => lines.push(line)),
      { component: 'edge' },
    );

    // Act
    logger.info('note', { hint: `run clawpulsar agent register --token ${CANARIES.registration}` });
    logger.error('failed', { detail: { header: `Bearer ${BEARER}` }, list: [CANARIES.openai] });

    // Assess
    const output = lines.join('');
    expect(output).not.toContain('CANARY');
    expect(lines.map((line) => JSON.parse(line).event)).toEqual(['note', 'failed']);
  });
});
