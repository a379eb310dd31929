import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BUDGET_TABLES } from '../../../lambdas/adapters/aws/budgetTableDefinitions.ts';
import { TABLES } from '../../../lambdas/adapters/aws/tableDefinitions.ts';
import {
  ackEnv,
  budgetPollerEnv,
  budgetWorkerEnv,
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
import { budgetTablesOf } from '../../../lambdas/handlers/support/awsBudgetMonitor.ts';

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

  it("says what is wrong in zod's words even where nothing else loads zod (a fresh process, env.ts alone)", () => {
    // Prepare
    const script = `import { ingressEnv, loadEnv } from './lambdas/handlers/env.ts';
try { loadEnv(ingressEnv, ${JSON.stringify({ ...valid, AGENTS_TABLE: undefined, ENVELOPE_QUEUE_URL: 'queue' })}); }
catch (error) { process.stdout.write(error.message); }`;

    // Act
    const message = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });

    // Assess
    expect(message).toBe(
      'Invalid Lambda environment: AGENTS_TABLE: Invalid input: expected string, received undefined; ' +
        'ENVELOPE_QUEUE_URL: Invalid URL',
    );
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

  it('asks each handler only for tables that tableDefinitions.ts or budgetTableDefinitions.ts defines', () => {
    const tableVariables = new Set(
      [...Object.keys(TABLES), ...Object.keys(BUDGET_TABLES)].map(
        (name) => `${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_TABLE`,
      ),
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
      budgetPollerEnv,
      budgetWorkerEnv,
    ]) {
      for (const name of Object.keys(schema.shape).filter((key) => key.endsWith('_TABLE'))) {
        expect(tableVariables).toContain(name);
      }
    }
  });

  it('takes the budget monitor tables all together or not at all', () => {
    const tables = {
      PROVIDER_KEYS_TABLE: 'ClawPulsar-ProviderKeys-1A2B',
      BUDGETS_TABLE: 'ClawPulsar-Budgets-1A2B',
      SPEND_HISTORY_TABLE: 'ClawPulsar-SpendHistory-1A2B',
      BUDGET_ALERTS_TABLE: 'ClawPulsar-BudgetAlerts-1A2B',
    };

    expect(budgetTablesOf({})).toBeUndefined();
    expect(budgetTablesOf(tables)).toEqual(tables);
    expect(() => budgetTablesOf({ ...tables, BUDGETS_TABLE: undefined })).toThrow(
      expect.objectContaining({ code: 'invalid_environment', data: { variables: ['BUDGETS_TABLE'] } }),
    );
  });

  it('refuses a budget worker topic that is not an SNS topic ARN', () => {
    const worker = {
      PROVIDER_KEYS_TABLE: 'k-1a2b',
      BUDGETS_TABLE: 'b-1a2b',
      SPEND_HISTORY_TABLE: 'h-1a2b',
      BUDGET_ALERTS_TABLE: 'a-1a2b',
      AGENTS_TABLE: 'ag-1a2b',
      DATA_KEY_ARN: valid.DATA_KEY_ARN,
      IOT_ENDPOINT: 'a1b2c3d4e5f6g7-ats.iot.eu-west-1.amazonaws.com',
    };

    expect(loadEnv(budgetWorkerEnv, worker)).toMatchObject(worker);
    expect(() =>
      loadEnv(budgetWorkerEnv, {
        ...worker,
        BUDGET_ALERTS_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:111122223333:q',
      }),
    ).toThrow(expect.objectContaining({ data: { variables: ['BUDGET_ALERTS_TOPIC_ARN'] } }));
  });
});
