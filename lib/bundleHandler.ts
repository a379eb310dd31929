/**
 * `node lib/bundleHandler.ts <handler> <outdir>`: bundles one Lambda handler with handlerBuildOptions.
 * A process of its own because CDK bundles synchronously (LocalHandlerBundler.tryBundle) while esbuild
 * runs plugins only in its asynchronous API; LocalHandlerBundler waits for this process to exit.
 */
import { build } from 'esbuild';
import { HANDLER_NAMES, type HandlerName, handlerBuildOptions } from './handlerBuildOptions.ts';

const [handler, outdir] = process.argv.slice(2);
if (!HANDLER_NAMES.includes(handler as HandlerName) || !outdir) {
  process.stderr.write(`usage: bundleHandler.ts <${HANDLER_NAMES.join('|')}> <outdir>\n`);
  process.exit(2);
}
await build(handlerBuildOptions(handler as HandlerName, outdir));
