import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVICE_RUNTIME, serviceSpec } from '../../../../bin/cli/service/ServiceSpec.ts';

const OPTIONS = {
  nodePath: '/usr/bin/node',
  cliPath: '/opt/clawpulsar/dist/clawpulsar.mjs',
  agentDir: '/home/me/.clawpulsar/agent',
  edgeDataDir: '/home/me/.clawpulsar/edge',
  logDir: '/home/me/.clawpulsar/logs',
  withEdge: true,
};

/**
 * The young generation's size, in MB, after a Node started with `flags` has made ~250 MB of garbage that
 * lives a little while (a window of 20,000 objects in flight, as a busy edge has webhooks in flight).
 * With V8's own sizing this reaches 128 MB on a machine with a few GiB of memory.
 */
function youngGenerationUnderLoad(flags: readonly string[]): number {
  const script = `
const inFlight = new Array(20000);
for (let i = 0; i < 2_000_000; i++) inFlight[i % 20000] = { body: Buffer.alloc(64).toString('hex'), headers: [i, i + 1] };
const space = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
process.stdout.write(String(space.space_size / 1048576));`;
  return Number(execFileSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' }));
}

describe('serviceSpec', () => {
  it('runs the edge with its Node flags and environment, then `dev` with its data dir', () => {
    // Act
    const spec = serviceSpec('edge', OPTIONS);

    // Assess
    expect(spec.argv).toEqual([
      '/usr/bin/node',
      '--max-semi-space-size=8',
      '/opt/clawpulsar/dist/clawpulsar.mjs',
      'dev',
      '--data-dir',
      '/home/me/.clawpulsar/edge',
    ]);
    expect(spec.env).toEqual({ CLAWPULSAR_LOG_DIR: '/home/me/.clawpulsar/logs', MALLOC_ARENA_MAX: '2' });
    expect(spec.after).toEqual([]);
  });

  it('runs the agent with its own Node flags, after a local edge on the same machine', () => {
    // Act
    const spec = serviceSpec('agent', OPTIONS);

    // Assess
    expect(spec.argv).toEqual([
      '/usr/bin/node',
      '--max-semi-space-size=1',
      '/opt/clawpulsar/dist/clawpulsar.mjs',
      'agent',
      'run',
      '--dir',
      '/home/me/.clawpulsar/agent',
    ]);
    expect(spec.env).toEqual({ CLAWPULSAR_LOG_DIR: '/home/me/.clawpulsar/logs', MALLOC_ARENA_MAX: '2' });
    expect(spec.after).toEqual(['clawpulsar-edge.service']);
  });

  it('waits for no edge when none runs on this machine', () => {
    expect(serviceSpec('agent', { ...OPTIONS, withEdge: false }).after).toEqual([]);
  });
});

describe('SERVICE_RUNTIME', () => {
  it('is how `npm start` runs the edge too', () => {
    // Prepare
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };

    // Assess
    expect(pkg.scripts.start).toBe(
      `node ${SERVICE_RUNTIME.edge.nodeOptions.join(' ')} dist/clawpulsar.mjs dev`,
    );
  });

  it('keeps the young generation within its bound while objects stay in flight', () => {
    for (const component of ['edge', 'agent'] as const) {
      // Prepare
      const semiSpaceMb = Number(
        /--max-semi-space-size=(\d+)/.exec(SERVICE_RUNTIME[component].nodeOptions.join(' '))?.[1],
      );

      // Act
      const youngMb = youngGenerationUnderLoad(SERVICE_RUNTIME[component].nodeOptions);

      // Assess: two semi-spaces at most.
      expect(semiSpaceMb, component).toBeGreaterThan(0);
      expect(youngMb, component).toBeLessThanOrEqual(2 * semiSpaceMb);
    }
  });
});
