import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { FUNCTION_ARCHITECTURE, FUNCTION_RUNTIME } from './constructs/HandlerFunction.ts';

/** Memory of the functions CDK creates for itself: one small event each. */
const DEPLOY_TIME_MEMORY_MB = 128;

/**
 * Puts a function that CDK creates for itself (the custom-resource provider framework, the AWS SDK call
 * resource) on the same pinned runtime and architecture as our handlers, with its memory stated. Their
 * code is plain JavaScript using the runtime's AWS SDK, so it runs unchanged on Node.js 24 and arm64;
 * pinning keeps every function in the stack on one supported runtime instead of CDK's default of the day.
 */
export function pinFunctionRuntime(fn: lambda.IFunction): void {
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  cfn.runtime = FUNCTION_RUNTIME.name;
  cfn.architectures = [FUNCTION_ARCHITECTURE.name];
  cfn.memorySize ??= DEPLOY_TIME_MEMORY_MB;
}
