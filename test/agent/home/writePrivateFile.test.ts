import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentDir } from '../../../agent/home/agentPaths.ts';
import { ensurePrivateDir, writePrivateFile } from '../../../agent/home/writePrivateFile.ts';

describe('private files', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const temp = () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawpulsar-private-'));
    dirs.push(dir);
    return dir;
  };

  it('writes 0600, replaces in place and leaves no temporary file', () => {
    const dir = temp();
    const path = join(dir, 'tls.key');
    writeFileSync(path, 'old', { mode: 0o644 });
    writePrivateFile(path, 'new');
    writePrivateFile(join(dir, 'bytes'), new Uint8Array([1, 2, 3]));
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'bytes'))).toEqual(Buffer.from([1, 2, 3]));
    expect(readdirSync(dir).sort()).toEqual(['bytes', 'tls.key']);
  });

  it('creates the home 0700 and tightens an existing one', () => {
    const parent = temp();
    ensurePrivateDir(join(parent, 'a', 'agent'));
    expect(statSync(join(parent, 'a', 'agent')).mode & 0o777).toBe(0o700);
    mkdirSync(join(parent, 'open'), { mode: 0o755 });
    chmodSync(join(parent, 'open'), 0o755);
    ensurePrivateDir(join(parent, 'open'));
    expect(statSync(join(parent, 'open')).mode & 0o777).toBe(0o700);
  });
});

describe('agentDir', () => {
  it('prefers --dir, then CLAWPULSAR_AGENT_DIR, then ~/.clawpulsar/agent', () => {
    expect(agentDir('/x/y', { CLAWPULSAR_AGENT_DIR: '/env' })).toBe('/x/y');
    expect(agentDir(undefined, { CLAWPULSAR_AGENT_DIR: '/env' })).toBe('/env');
    expect(agentDir(undefined, {})).toBe(join(homedir(), '.clawpulsar', 'agent'));
    expect(agentDir(undefined, { CLAWPULSAR_AGENT_DIR: '' })).toBe(join(homedir(), '.clawpulsar', 'agent'));
  });
});
