import { describe, expect, it } from 'vitest';
import { TABLES } from '../../../lambdas/adapters/aws/tableDefinitions.ts';
import {
  ackEnv,
  caBootstrapEnv,
  certificateSweeperEnv,
  dispatcherEnv,
  ingressEnv,
  loadEnv,
  managementEnv,
  presenceEnv,
  registerEnv,
  renewEnv,
} from '../../../lambdas/handlers/env.ts';

const valid = {
  AGENTS_TABLE: 'ClawPulsar-Agents-1A2B',
  SOURCES_TABLE: 'ClawPulsar-Sources-1A2B',
  DEDUPE_TABLE: 'ClawPulsar-Dedupe-1A2B',
  DELIVERY_LOG_TABLE: 'ClawPulsar-DeliveryLog-1A2B',
  ENVELOPE_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/ClawPulsar-Envelopes',
  ENVELOPE_BUCKET: 'clawpulsar-envelopes-111122223333',
  DATA_KEY_ARN: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
};

describe('loadEnv', () => {
  it('returns the typed variables, optional ones left out', () => {
    expect(loadEnv(ingressEnv, valid)).toEqual(valid);
  });

  it('names every missing or malformed variable, never its value', () => {
    // Prepare
    const source = { ...valid, DATA_KEY_ARN: 'not-an-arn-SECRETISH', ENVELOPE_QUEUE_URL: undefined };

    // Act
    const attempt = () => loadEnv(ingressEnv, source);

    // Assess
    expect(attempt).toThrow(expect.objectContaining({ code: 'invalid_environment' }));
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).toContain('DATA_KEY_ARN');
      expect((error as Error).message).toContain('ENVELOPE_QUEUE_URL');
      expect((error as Error).message).not.toContain('SECRETISH');
    }
  });

  it.each([
    ['an http queue URL', { ENVELOPE_QUEUE_URL: 'http://sqs.example/q' }],
    ['a base URL with a path', { PUBLIC_BASE_URL: 'https://hooks.example.com/relay' }],
    ['a base URL with a trailing slash', { PUBLIC_BASE_URL: 'https://hooks.example.com/' }],
    ['a bucket name with capitals', { ENVELOPE_BUCKET: 'Envelopes' }],
  ])('refuses %s', (_name, override) => {
    expect(() => loadEnv(ingressEnv, { ...valid, ...override })).toThrow(
      expect.objectContaining({ code: 'invalid_environment' }),
    );
  });

  it('asks each handler only for tables that tableDefinitions.ts defines', () => {
    const tableVariables = new Set(
      Object.keys(TABLES).map((name) => `${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_TABLE`),
    );
    for (const schema of [
      ingressEnv,
      registerEnv,
      managementEnv,
      dispatcherEnv,
      ackEnv,
      renewEnv,
      presenceEnv,
      certificateSweeperEnv,
      caBootstrapEnv,
    ]) {
      for (const name of Object.keys(schema.shape).filter((key) => key.endsWith('_TABLE'))) {
        expect(tableVariables).toContain(name);
      }
    }
  });
});
