import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { edgeInfoSchema } from '../ManagementClient.ts';

export interface BackgroundEdge {
  readonly url: string;
  readonly pid: number;
}

/** Whether `GET {url}/healthz` answers 200 within a second and a half. */
export async function edgeHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url.replace(/\/$/, '')}/healthz`, { signal: AbortSignal.timeout(1500) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** The running local edge of `dataDir`, from its `edge.json`, when it answers. */
export async function runningLocalEdge(dataDir: string): Promise<BackgroundEdge | undefined> {
  const path = join(dataDir, 'edge.json');
  if (!existsSync(path)) return undefined;
  const parsed = edgeInfoSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) return undefined;
  return (await edgeHealthy(parsed.data.url)) ? { url: parsed.data.url, pid: parsed.data.pid } : undefined;
}

/**
 * Starts `clawpulsar dev` detached from this process (it keeps running after onboarding; its log is
 * `edge.log`), and waits until it announced itself in `edge.json` and answers `/healthz`.
 *
 * @example
 * const edge = await startEdgeInBackground({ dataDir, port: 7700, tunnelPort: 8883 });
 */
export async function startEdgeInBackground(options: {
  dataDir: string;
  port: number;
  tunnelPort: number;
  timeoutMs?: number;
}): Promise<BackgroundEdge> {
  const child = spawn(
    process.execPath,
    [
      realpathSync(process.argv[1] as string),
      'dev',
      '--data-dir',
      options.dataDir,
      '--port',
      String(options.port),
      '--tunnel-port',
      String(options.tunnelPort),
      '--quiet',
    ],
    { detached: true, stdio: 'ignore' },
  );
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  child.unref();
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new Error(
        `The edge stopped at once (exit ${exited}): is a port in use? Run \`clawpulsar dev\` to see why, or pass --edge-port / --tunnel-port.`,
      );
    }
    const edge = await runningLocalEdge(options.dataDir);
    if (edge && edge.pid === child.pid) return edge;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error('The edge did not come up within 30 s; see `clawpulsar logs --component edge`.');
}
