import { InvalidContextError } from '../lib/ClawPulsarConfig.ts';
import { createApp } from '../lib/createApp.ts';

/**
 * The CDK app (`cdk.json`: `npx tsx bin/app.ts`). Context values are documented in docs/aws.md, e.g.
 * `npx cdk deploy -c clawpulsar:alertEmail=ops@example.com`.
 */
try {
  createApp().app.synth();
} catch (error) {
  if (!(error instanceof InvalidContextError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
