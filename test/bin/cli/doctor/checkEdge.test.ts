import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEdge } from '../../../../bin/cli/doctor/checkEdge.ts';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** An edge stand-in whose clock runs `offsetMs` away from ours (or that sends no Date header). */
async function edgeWithClock(offsetMs: number | 'none', status = 200): Promise<string> {
  server = createServer((_req, res) => {
    if (offsetMs === 'none') res.sendDate = false;
    else res.setHeader('date', new Date(Date.now() + offsetMs).toUTCString());
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('checkEdge', () => {
  it('is ok when the edge answers and the clocks agree', async () => {
    const checks = await checkEdge(await edgeWithClock(0));
    expect(checks.map((c) => [c.id, c.level])).toEqual([
      ['edge', 'ok'],
      ['clock', 'ok'],
    ]);
  });

  it('warns at a minute of skew and fails at ten, saying which way and how to fix it', async () => {
    // Act
    const minute = await checkEdge(await edgeWithClock(60_000));
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const ten = await checkEdge(await edgeWithClock(-600_000));

    // Assess
    expect(minute[1]).toMatchObject({ id: 'clock', level: 'warn' });
    expect(minute[1]?.message).toMatch(/This clock is (59|60|61) s behind the edge/);
    expect(ten[1]).toMatchObject({ id: 'clock', level: 'fail' });
    expect(ten[1]?.message).toMatch(/(599|600|601) s ahead of the edge/);
    expect(ten[1]?.fix).toContain('timedatectl set-ntp true');
  });

  it('warns when the edge sends no Date header', async () => {
    const checks = await checkEdge(await edgeWithClock('none'));
    expect(checks[1]).toMatchObject({ id: 'clock', level: 'warn' });
  });

  it('fails an unhealthy answer and an unreachable edge, with the fix', async () => {
    // Act
    const unhealthy = await checkEdge(await edgeWithClock(0, 503));
    const url = `http://127.0.0.1:${((server as Server).address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    const down = await checkEdge(url);

    // Assess
    expect(unhealthy[0]).toMatchObject({ id: 'edge', level: 'fail' });
    expect(unhealthy[0]?.message).toContain('HTTP 503');
    expect(down).toEqual([
      {
        id: 'edge',
        level: 'fail',
        message: `Cannot reach the edge at ${url} (ECONNREFUSED)`,
        fix: 'Start it: `clawpulsar dev` (or `clawpulsar service install --component edge`)',
      },
    ]);
  });
});
