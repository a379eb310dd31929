import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import type { ClawPulsarStack } from '../../lib/ClawPulsarStack.ts';
import { createApp } from '../../lib/createApp.ts';

export interface SynthesizedClawPulsar {
  readonly app: App;
  readonly stack: ClawPulsarStack;
  readonly template: Template;
  /** Removes the cloud assembly directory. */
  readonly dispose: () => void;
}

/**
 * Builds the real app in-process (handlers bundled by the local esbuild) and synthesizes it into a
 * temporary directory. Synthesis runs the cdk-nag packs: any unacknowledged finding throws here.
 */
export function synthClawPulsar(context: Record<string, unknown> = {}): SynthesizedClawPulsar {
  const outdir = mkdtempSync(join(tmpdir(), 'clawpulsar-synth-'));
  const { app, stack } = createApp({ context, outdir });
  const template = Template.fromStack(stack);
  return { app, stack, template, dispose: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** Every cdk-nag finding of the three packs the app registers, as `rule  construct-path` lines. */
export function nagFindings(app: App): string[] {
  const findings: string[] = [];
  for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks(), new NIST80053R5Checks()]) {
    for (const violation of pack.validateScope(app).violations) {
      for (const resource of violation.violatingResources) {
        findings.push(`${violation.ruleName}  ${resource.constructPath}`);
      }
    }
  }
  return findings;
}

export interface IamStatement {
  readonly policy: string;
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: unknown[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every statement of every identity policy in the template (managed, inline and role-embedded). */
export function iamStatements(template: Template): IamStatement[] {
  const statements: IamStatement[] = [];
  const collect = (policy: string, document: { Statement?: unknown } | undefined) => {
    for (const raw of list(document?.Statement as Record<string, unknown>[] | undefined)) {
      statements.push({
        policy,
        Effect: raw.Effect as string,
        Action: list(raw.Action as string | string[]),
        Resource: list(raw.Resource),
        Condition: raw.Condition as IamStatement['Condition'],
      });
    }
  };
  for (const type of ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy']) {
    for (const [id, resource] of Object.entries(template.findResources(type))) {
      collect(id, resource.Properties.PolicyDocument);
    }
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const inline of list(role.Properties.Policies as { PolicyDocument: { Statement?: unknown } }[])) {
      collect(id, inline.PolicyDocument);
    }
  }
  return statements;
}

/** The logical id of the single resource of `type` whose logical id starts with `prefix`. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ')}`);
  return ids[0] as string;
}
