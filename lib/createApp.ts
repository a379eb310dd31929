import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { type ClawPulsarConfig, readConfig } from './ClawPulsarConfig.ts';
import { ClawPulsarStack } from './ClawPulsarStack.ts';

export interface CreateAppOptions {
  /** Extra context, as `-c key=value` would give it (tests use this instead of cdk.json). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Cloud assembly directory; CDK's default (or the CLI's `CDK_OUTDIR`) when unset. */
  readonly outdir?: string;
}

export interface ClawPulsarApp {
  readonly app: App;
  readonly stack: ClawPulsarStack;
  readonly config: ClawPulsarConfig;
}

/**
 * Builds the CDK app: validated context, the stack, and the cdk-nag packs (AWS Solutions, Serverless,
 * NIST 800-53 rev 5) as synthesis-time validation plugins, so any unacknowledged finding fails `cdk synth`.
 * No lookups and no environment: the result synthesizes offline.
 *
 * @example
 * const { app } = createApp({ context: { 'clawpulsar:alertEmail': 'ops@example.com' } });
 * app.synth();
 */
export function createApp(options: CreateAppOptions = {}): ClawPulsarApp {
  const appProps: AppProps = {
    ...(options.context ? { context: { ...options.context } } : {}),
    ...(options.outdir ? { outdir: options.outdir } : {}),
  };
  const app = new App(appProps);
  const config = readConfig(app.node.getAllContext());
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app),
    new ServerlessChecks(app),
    new NIST80053R5Checks(app),
  );
  const stack = new ClawPulsarStack(app, config.stackName, {
    config,
    description: 'ClawPulsar: self-hosted webhook relay and LLM budget monitor (see docs/aws.md)',
  });
  return { app, stack, config };
}
