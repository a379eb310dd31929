import type { ILocalBundling } from 'aws-cdk-lib';
import { buildSync } from 'esbuild';
import { type HandlerName, handlerBuildOptions } from './handlerBuildOptions.ts';

/**
 * Bundles a handler with the esbuild in node_modules, in process, with the options every handler shares
 * (lib/handlerBuildOptions.ts). It never declines, so CDK never falls back to bundling in Docker: a
 * failed build throws with esbuild's message.
 *
 * @example
 * lambda.Code.fromAsset(dir, { bundling: { local: new LocalHandlerBundler('ingress'), image } });
 */
export class LocalHandlerBundler implements ILocalBundling {
  /** Public on purpose: CDK keys an app's staged bundles by the bundling options' JSON, which must differ per handler. */
  readonly handler: HandlerName;

  constructor(handler: HandlerName) {
    this.handler = handler;
  }

  tryBundle(outputDir: string): boolean {
    buildSync(handlerBuildOptions(this.handler, outputDir));
    return true;
  }
}
