import { describe, expect, it } from 'vitest';
import { InvalidContextError, readConfig } from '../../lib/ClawPulsarConfig.ts';

const CERTIFICATE_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

/** Runs readConfig and returns the InvalidContextError it throws. */
function rejection(context: Record<string, unknown>): InvalidContextError {
  try {
    readConfig(context);
  } catch (error) {
    if (error instanceof InvalidContextError) return error;
    throw error;
  }
  throw new Error('readConfig accepted the context');
}

describe('readConfig', () => {
  it('applies the documented defaults when only cdk.json’s empty values are present', () => {
    // Prepare
    const context = {
      'clawpulsar:stackName': 'ClawPulsar',
      'clawpulsar:alertEmail': '',
      'clawpulsar:domainName': '',
      'clawpulsar:certificateArn': '',
    };

    // Act
    const config = readConfig(context);

    // Assess
    expect(config).toEqual({
      stackName: 'ClawPulsar',
      alertEmail: undefined,
      domainName: undefined,
      certificateArn: undefined,
      logRetentionDays: 30,
      throttleRateLimit: 50,
      throttleBurstLimit: 100,
      reservedConcurrency: true,
      tracing: false,
      keyDeletionWindowDays: 30,
      budgetPollMinutes: 5,
    });
  });

  it('parses the strings `-c key=value` passes into numbers and booleans', () => {
    // Prepare
    const context = {
      'clawpulsar:logRetentionDays': '90',
      'clawpulsar:throttleRateLimit': '7',
      'clawpulsar:throttleBurstLimit': '9',
      'clawpulsar:reservedConcurrency': 'false',
      'clawpulsar:tracing': 'true',
      'clawpulsar:keyDeletionWindowDays': '7',
      'clawpulsar:alertEmail': 'ops@example.com',
    };

    // Act
    const config = readConfig(context);

    // Assess
    expect(config).toMatchObject({
      logRetentionDays: 90,
      throttleRateLimit: 7,
      throttleBurstLimit: 9,
      reservedConcurrency: false,
      tracing: true,
      keyDeletionWindowDays: 7,
      alertEmail: 'ops@example.com',
    });
  });

  it('accepts JSON types from cdk.json as they are', () => {
    // Act
    const config = readConfig({ 'clawpulsar:tracing': true, 'clawpulsar:logRetentionDays': 365 });

    // Assess
    expect(config.tracing).toBe(true);
    expect(config.logRetentionDays).toBe(365);
  });

  it('accepts a custom domain with its certificate', () => {
    // Act
    const config = readConfig({
      'clawpulsar:domainName': 'hooks.example.com',
      'clawpulsar:certificateArn': CERTIFICATE_ARN,
    });

    // Assess
    expect(config.domainName).toBe('hooks.example.com');
    expect(config.certificateArn).toBe(CERTIFICATE_ARN);
  });

  it('ignores context outside the clawpulsar: prefix, where CDK keeps its feature flags', () => {
    // Act
    const config = readConfig({
      '@aws-cdk/core:newStyleStackSynthesis': true,
      'aws:cdk:enable-path-metadata': 'x',
    });

    // Assess
    expect(config.stackName).toBe('ClawPulsar');
  });

  it.each([
    ['an email that is not one', { 'clawpulsar:alertEmail': 'ops' }, 'clawpulsar:alertEmail', 'email'],
    [
      'a stack name CloudFormation refuses',
      { 'clawpulsar:stackName': '1-bad_name' },
      'clawpulsar:stackName',
      'stack name',
    ],
    [
      'an upper-case domain',
      { 'clawpulsar:domainName': 'Hooks.Example.com', 'clawpulsar:certificateArn': CERTIFICATE_ARN },
      'clawpulsar:domainName',
      'DNS name',
    ],
    [
      'a domain without its certificate',
      { 'clawpulsar:domainName': 'hooks.example.com' },
      'clawpulsar:certificateArn',
      'go together',
    ],
    [
      'a certificate without its domain',
      { 'clawpulsar:certificateArn': CERTIFICATE_ARN },
      'clawpulsar:domainName',
      'go together',
    ],
    [
      'a certificate that is not an ACM ARN',
      {
        'clawpulsar:domainName': 'hooks.example.com',
        'clawpulsar:certificateArn': 'arn:aws:iam::123456789012:server-certificate/x',
      },
      'clawpulsar:certificateArn',
      'ACM',
    ],
    [
      'a retention CloudWatch does not offer',
      { 'clawpulsar:logRetentionDays': '31' },
      'clawpulsar:logRetentionDays',
      'retention periods',
    ],
    [
      'a fractional rate',
      { 'clawpulsar:throttleRateLimit': 1.5 },
      'clawpulsar:throttleRateLimit',
      'whole number',
    ],
    [
      'a rate written with a unit',
      { 'clawpulsar:throttleRateLimit': '50rps' },
      'clawpulsar:throttleRateLimit',
      'whole number',
    ],
    ['a zero burst', { 'clawpulsar:throttleBurstLimit': '0' }, 'clawpulsar:throttleBurstLimit', 'at least 1'],
    [
      'a deletion window below KMS’s 7 days',
      { 'clawpulsar:keyDeletionWindowDays': '6' },
      'clawpulsar:keyDeletionWindowDays',
      'at least 7',
    ],
    [
      'a deletion window above KMS’s 30 days',
      { 'clawpulsar:keyDeletionWindowDays': 31 },
      'clawpulsar:keyDeletionWindowDays',
      'at most 30',
    ],
    ['a flag spelled yes', { 'clawpulsar:tracing': 'yes' }, 'clawpulsar:tracing', 'true or false'],
    [
      'an unknown key (a typo)',
      { 'clawpulsar:alertEmial': 'ops@example.com' },
      'clawpulsar:alertEmial',
      'unknown context key',
    ],
  ])('refuses %s, naming the key and why', (_name, context, key, why) => {
    // Act
    const error = rejection(context);

    // Assess
    expect(error.keys).toContain(key);
    expect(error.message).toContain(key);
    expect(error.message).toContain(why);
    expect(error.message).toContain('docs/aws.md');
  });

  it('names every bad key at once', () => {
    // Act
    const error = rejection({ 'clawpulsar:alertEmail': 'nope', 'clawpulsar:logRetentionDays': '2' });

    // Assess
    expect(error.keys).toEqual(
      expect.arrayContaining(['clawpulsar:alertEmail', 'clawpulsar:logRetentionDays']),
    );
  });

  it('never echoes a rejected value back', () => {
    // Act
    const error = rejection({ 'clawpulsar:alertEmail': 'canary-7f3a9' });

    // Assess
    expect(error.message).not.toContain('canary-7f3a9');
  });
});
