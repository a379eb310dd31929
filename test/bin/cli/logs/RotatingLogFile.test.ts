import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { followLogFile } from '../../../../bin/cli/logs/followLogFile.ts';
import { openLogFile } from '../../../../bin/cli/logs/openLogFile.ts';
import { RotatingLogFile } from '../../../../bin/cli/logs/RotatingLogFile.ts';
import { readLogTail } from '../../../../bin/cli/logs/readLogTail.ts';
import { createJsonLogger } from '../../../../lambdas/core/logging/createJsonLogger.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cp-logs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const line = (n: number) =>
  `${JSON.stringify({ time: `2026-01-01T00:00:${String(n).padStart(2, '0')}Z`, n })}\n`;

describe('RotatingLogFile', () => {
  it('creates an owner-only directory and file', () => {
    // Prepare
    const path = join(dir, 'nested', 'edge.log');
    const file = new RotatingLogFile(path);

    // Act
    file.write(line(1));
    file.close();

    // Assess
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe(line(1));
  });

  it('rotates by size, keeps maxFiles files and drops the oldest', () => {
    // Prepare: each line is 40 bytes; 100 bytes hold two lines.
    const path = join(dir, 'agent.log');
    const file = new RotatingLogFile(path, { maxBytes: 100, maxFiles: 3 });

    // Act
    for (let n = 1; n <= 9; n++) file.write(line(n));
    file.close();

    // Assess
    expect(readdirSync(dir).sort()).toEqual(['agent.log', 'agent.log.1', 'agent.log.2']);
    expect(readFileSync(path, 'utf8')).toBe(line(9));
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(line(7) + line(8));
    expect(readFileSync(`${path}.2`, 'utf8')).toBe(line(5) + line(6));
    for (const name of readdirSync(dir)) expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(100);
  });

  it('reopens instead of rotating again when another writer already rotated the file', () => {
    // Prepare
    const path = join(dir, 'edge.log');
    const file = new RotatingLogFile(path, { maxBytes: 100, maxFiles: 3 });
    file.write(line(1));
    file.write(line(2));
    file.flush();
    renameSync(path, `${path}.1`);
    writeFileSync(path, line(3), { mode: 0o600 });

    // Act
    file.write(line(4));
    file.close();

    // Assess
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(line(1) + line(2));
    expect(readFileSync(path, 'utf8')).toBe(line(3) + line(4));
    expect(readdirSync(dir).sort()).toEqual(['edge.log', 'edge.log.1']);
  });

  it("writes a turn's lines at the end of the turn, in order", async () => {
    // Prepare
    const path = join(dir, 'edge.log');
    const file = new RotatingLogFile(path);

    // Act
    file.write(line(1));
    file.write(line(2));
    const beforeTurnEnds = existsSync(path) ? readFileSync(path, 'utf8') : '';
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(beforeTurnEnds).toBe('');
    expect(readFileSync(path, 'utf8')).toBe(line(1) + line(2));
    file.close();
  });

  it('drops lines after one warning when the file cannot be written', () => {
    // Prepare: the log path is a directory.
    const path = join(dir, 'edge.log');
    const file = new RotatingLogFile(join(path, 'x.log'));
    writeFileSync(path, 'not a directory');

    const warnings = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // Act / Assess
    try {
      expect(() => file.write(line(1))).not.toThrow();
      expect(() => file.flush()).not.toThrow();
      expect(() => file.write(line(2))).not.toThrow();
      expect(() => file.close()).not.toThrow();
      expect(warnings.mock.calls.map(([text]) => String(text))).toEqual([
        expect.stringMatching(/^clawpulsar: cannot write .*x\.log \([A-Z]+\); file logging is off\n$/),
      ]);
    } finally {
      warnings.mockRestore();
    }
  });
});

describe('openLogFile', () => {
  it('writes JSON lines with values of known secret shapes redacted', () => {
    // Prepare
    const sink = openLogFile('edge', dir);
    const logger = createJsonLogger(sink.write, { component: 'edge' });

    // Act
    logger.warn('odd', {
      note: 'cpm_CANARYmanagementTokenValue0123456789',
      header: 'Bearer CANARYxyz123456',
    });
    sink.close();

    // Assess
    const text = readFileSync(join(dir, 'edge.log'), 'utf8');
    expect(text).not.toContain('CANARY');
    expect(JSON.parse(text)).toMatchObject({ event: 'odd', component: 'edge', note: 'cpm_[redacted]' });
  });
});

describe('readLogTail', () => {
  it('returns the last lines across rotated files, oldest first', () => {
    // Prepare
    const path = join(dir, 'agent.log');
    const file = new RotatingLogFile(path, { maxBytes: 100, maxFiles: 5 });
    for (let n = 1; n <= 7; n++) file.write(line(n));
    file.close();

    // Act
    const tail = readLogTail(path, 4);

    // Assess
    expect(tail).toEqual([4, 5, 6, 7].map((n) => line(n).trimEnd()));
    expect(readLogTail(path, 100)).toHaveLength(7);
    expect(readLogTail(join(dir, 'missing.log'), 10)).toEqual([]);
  });
});

describe('followLogFile', () => {
  it('prints appended lines, then the new file after a rotation, and waits for a missing file', async () => {
    // Prepare
    const path = join(dir, 'edge.log');
    const seen: string[] = [];
    const file = new RotatingLogFile(path, { maxBytes: 100, maxFiles: 3 });
    file.write(line(1));
    file.flush();
    const follower = followLogFile(path, (l) => seen.push(l), 20);
    const until = async (n: number) => {
      const deadline = Date.now() + 5000;
      while (seen.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };

    // Act
    file.write(line(2));
    await until(1);
    file.write(line(3));
    file.write(line(4));
    await until(3);
    file.close();
    rmSync(dir, { recursive: true, force: true });
    await new Promise((r) => setTimeout(r, 60));
    const again = new RotatingLogFile(path);
    again.write(line(5));
    await until(4);
    follower.stop();
    again.close();

    // Assess: line 1 was there before following began.
    expect(seen).toEqual([2, 3, 4, 5].map((n) => line(n).trimEnd()));
  });
});
