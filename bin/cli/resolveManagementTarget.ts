import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultEdgeDir } from '../../lambdas/edge/edgePaths.ts';
import { edgeInfoSchema } from './ManagementClient.ts';
import { bearerTarget, type ManagementTarget } from './ManagementTarget.ts';
import { chosenStack, type StackOptions } from './stackOptions.ts';

/** Where a management command sends its requests, as given on its command line. */
export interface ManagementTargetOptions extends StackOptions {
  edge?: string;
  tokenFile?: string;
  dataDir?: string;
}

/**
 * Finds the management API: a deployed stack (`--stack NAME` or $CLAWPULSAR_STACK, calls signed with the
 * operator's AWS credentials), else `--edge URL` or the local edge with a bearer token.
 *
 * @example
 * const client = new ManagementClient(await resolveManagementTarget({ stack: 'prod' }));
 */
export async function resolveManagementTarget(options: ManagementTargetOptions): Promise<ManagementTarget> {
  const stack = chosenStack(options);
  if (!stack) return resolveEdgeTarget(options);
  // The AWS SDK loads only for a stack: commands against the local edge start without it.
  const { resolveStackTarget } = await import('./resolveStackTarget.ts');
  return (await resolveStackTarget(stack)).management;
}

/**
 * An edge's management API: `--edge URL` with `--token-file F` (or CLAWPULSAR_TOKEN), else the local edge
 * described in the data dir's `edge.json`.
 */
export function resolveEdgeTarget(options: {
  edge?: string;
  tokenFile?: string;
  dataDir?: string;
}): ManagementTarget {
  if (options.edge) {
    const token = options.tokenFile
      ? readFileSync(options.tokenFile, 'utf8').trim()
      : process.env.CLAWPULSAR_TOKEN;
    if (!token) throw new Error('Give the management token with --token-file F or CLAWPULSAR_TOKEN');
    return bearerTarget(options.edge, token);
  }
  const dir = options.dataDir ?? defaultEdgeDir();
  const infoPath = join(dir, 'edge.json');
  if (!existsSync(infoPath)) {
    throw new Error(
      `No local edge found in ${dir}. Start one with \`clawpulsar dev\` (or pass --edge URL, or --stack NAME for a deployed stack).`,
    );
  }
  const info = edgeInfoSchema.parse(JSON.parse(readFileSync(infoPath, 'utf8')));
  return bearerTarget(info.url, readFileSync(info.tokenFile, 'utf8').trim());
}
