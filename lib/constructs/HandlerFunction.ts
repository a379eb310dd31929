import { fileURLToPath } from 'node:url';
import { AssetHashType, type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type * as z from 'zod/mini';
import { acknowledgeWildcards } from '../acknowledgeWildcards.ts';
import { HANDLER_MODULE, type HandlerName } from '../handlerBuildOptions.ts';
import { LocalHandlerBundler } from '../LocalHandlerBundler.ts';
import { queueKeyStatement } from '../permissions.ts';
import type { KeysConstruct } from './KeysConstruct.ts';

export type { HandlerName } from '../handlerBuildOptions.ts';

/** The pinned Lambda runtime and architecture of every function in the stack. */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;
export const FUNCTION_ARCHITECTURE = lambda.Architecture.ARM_64;

const HANDLERS_DIR = fileURLToPath(new URL('../../lambdas/handlers/', import.meta.url));

/** Settings every function shares, decided once by the stack. */
export interface FunctionSettings {
  readonly keys: KeysConstruct;
  readonly logRetention: logs.RetentionDays;
  readonly tracing: boolean;
  readonly reserveConcurrency: boolean;
}

/**
 * A function's environment, typed by its handler's schema in lambdas/handlers/env.ts: a variable the
 * handler requires can't be left out, and one it doesn't know can't be added.
 */
export type EnvironmentOf<S extends z.ZodMiniObject> = { readonly [K in keyof z.input<S>]: string };

export interface HandlerFunctionProps<S extends z.ZodMiniObject> {
  readonly handler: HandlerName;
  readonly description: string;
  /** The handler's schema; only used to type `environment`. */
  readonly schema: S;
  readonly environment: EnvironmentOf<S>;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Reserved concurrency, applied when the deployment reserves concurrency at all. */
  readonly reservedConcurrency: number;
  /** Everything the handler may do, as exact-resource statements (lib/permissions.ts). */
  readonly statements: readonly iam.PolicyStatement[];
  /** Whether the function touches the data key at all (tables, queue, bucket, secrets). */
  readonly usesDataKey: boolean;
  /** Whether the function signs with the CA key. */
  readonly signsWithCaKey?: boolean;
  /**
   * For asynchronously invoked functions (IoT rules, schedules): where events land after Lambda's two
   * retries are spent.
   */
  readonly deadLetterQueue?: sqs.IQueue;
  readonly settings: FunctionSettings;
}

/**
 * One Lambda handler, deployed the same way every time: bundled by the local esbuild (never Docker) with
 * the options of lib/handlerBuildOptions.ts (minified ESM, split into the entry and lazily loaded chunks),
 * Node.js 24 on arm64, its own encrypted log group with a retention, and its own
 * role whose only permissions are the statements given here in one customer-managed policy.
 *
 * The role is handed to the function as immutable, so nothing CDK would add behind our back (grants
 * without an encryption context, AWS-managed policies) ends up on it: every permission the function has
 * is listed in `statements` or below.
 *
 * @example
 * new HandlerFunction(this, 'Ack', { handler: 'ack', schema: ackEnv, environment: {...}, ... });
 */
export class HandlerFunction<S extends z.ZodMiniObject = z.ZodMiniObject> extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly policy: iam.ManagedPolicy;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps<S>) {
    super(scope, id);
    const { settings } = props;
    const dataKey: kms.IKey = settings.keys.dataKey;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: settings.logRetention,
      encryptionKey: dataKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `ClawPulsar ${props.handler} function`,
    });

    const statements: iam.PolicyStatement[] = [
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
      ...props.statements,
    ];
    if (props.deadLetterQueue) {
      // Lambda sends failed async events with the function's own role.
      statements.push(
        new iam.PolicyStatement({
          actions: ['sqs:SendMessage'],
          resources: [props.deadLetterQueue.queueArn],
        }),
        queueKeyStatement(dataKey, props.deadLetterQueue, ['kms:GenerateDataKey', 'kms:Decrypt']),
      );
    }
    if (settings.tracing) {
      // X-Ray has no resource-level permissions for these two actions.
      statements.push(
        new iam.PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      );
    }
    // Attached from the policy's side (ManagedPolicy.Roles), so the role doesn't depend on the policy and
    // the key policies may name the role without a dependency cycle.
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Least-privilege permissions of the ClawPulsar ${props.handler} function`,
      statements,
      roles: [this.role],
    });
    acknowledgeWildcards(this.policy, statements);

    if (props.usesDataKey || props.deadLetterQueue) settings.keys.allowDataKeyUse(this.role);
    if (props.signsWithCaKey) settings.keys.allowCaSigning(this.role);

    this.function = new lambda.Function(this, 'Function', {
      // The asset's hash is the bundle's, so only a changed bundle is uploaded and redeployed.
      code: lambda.Code.fromAsset(HANDLERS_DIR, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          local: new LocalHandlerBundler(props.handler),
          // Required by the type; never used: the local bundler builds or throws, it doesn't fall back.
          image: FUNCTION_RUNTIME.bundlingImage,
        },
      }),
      handler: `${HANDLER_MODULE}.handler`,
      description: props.description,
      runtime: FUNCTION_RUNTIME,
      architecture: FUNCTION_ARCHITECTURE,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role.withoutPolicyUpdates(),
      environment: { ...(props.environment as Record<string, string>) },
      logGroup: this.logGroup,
      tracing: settings.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      reservedConcurrentExecutions: settings.reserveConcurrency ? props.reservedConcurrency : undefined,
    });
    // The managed policy is a separate resource: the function must not run (a custom resource invokes
    // it during the deployment) before its permissions exist.
    this.function.node.addDependency(this.policy);

    if (props.deadLetterQueue) {
      // Set on the L1: the L2 prop would also grant the queue's key through the key policy.
      const cfn = this.function.node.defaultChild as lambda.CfnFunction;
      cfn.deadLetterConfig = { targetArn: props.deadLetterQueue.queueArn };
    }

    this.#acknowledgeFindings(props);
  }

  #acknowledgeFindings(props: HandlerFunctionProps<S>): void {
    const fn = Validations.of(this.function);
    fn.acknowledge({
      id: 'NIST.800.53.R5-LambdaInsideVPC',
      reason:
        'The function reaches only AWS service endpoints (TLS, SigV4) and holds no network-reachable state; ' +
        'its role scopes every call to named resources, so a VPC would add NAT or endpoint cost without ' +
        'narrowing what it can reach.',
    });
    if (!props.settings.reserveConcurrency) {
      fn.acknowledge({
        id: 'NIST.800.53.R5-LambdaConcurrency',
        reason:
          'Reserved concurrency is off for this deployment (clawpulsar:reservedConcurrency=false, for accounts ' +
          'at the 10-execution quota); the API stage and route throttles and the queue mapping maximum ' +
          'concurrency still bound the load on downstream services.',
      });
    }
    if (!props.settings.tracing) {
      fn.acknowledge({
        id: 'Serverless-LambdaTracing',
        reason:
          'Tracing is opt-in (clawpulsar:tracing=true) because X-Ray bills per trace; every handler logs ' +
          'structured JSON with the request id, and CloudWatch metrics and alarms cover errors and latency.',
      });
    }
    if (!props.deadLetterQueue) {
      const reason =
        'Invoked synchronously (API Gateway, the SQS poller or CloudFormation), where a dead-letter queue never ' +
        'receives anything: the caller sees the error and retries (providers, SQS visibility, CloudFormation).';
      fn.acknowledge({ id: 'NIST.800.53.R5-LambdaDLQ', reason });
      fn.acknowledge({ id: 'Serverless-LambdaDLQ', reason });
    }
  }
}
