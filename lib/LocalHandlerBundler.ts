import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ILocalBundling } from 'aws-cdk-lib';
import type { HandlerName } from './handlerBuildOptions.ts';

const BUNDLE_SCRIPT = fileURLToPath(new URL('./bundleHandler.ts', import.meta.url));

/**
 * Bundles a handler with the esbuild in node_modules and the options every handler shares
 * (lib/handlerBuildOptions.ts). CDK asks for the bundle synchronously and those options carry an esbuild
 * plugin, which only esbuild's asynchronous API runs: the build runs in a child Node process
 * (lib/bundleHandler.ts, with this process's flags, so a TypeScript loader such as tsx's carries over)
 * and this waits for it. It never declines, so CDK never falls back to bundling in Docker: a failed
 * build throws with esbuild's message.
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
    try {
      execFileSync(process.execPath, [...process.execArgv, BUNDLE_SCRIPT, this.handler, outputDir], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      throw new Error(`Bundling the ${this.handler} handler failed${stderr ? `:\n${stderr}` : ''}`, {
        cause: error,
      });
    }
    return true;
  }
}
