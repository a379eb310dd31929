import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../support/cliProcess.ts';

/**
 * The budget monitor's commands refuse bad input before they reach an edge (exit 2) and say what to do;
 * their happy paths run against a real edge in test/e2e/budgetAlerts.test.ts.
 */
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cp-keys-cli-'));
  writeFileSync(join(dir, 'spaced.key'), 'sk-admin one two\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => cli([...args, '--data-dir', join(dir, 'edge'), '--json']);

describe('clawpulsar keys, budget and history: usage errors', () => {
  it.each([
    [
      'a key file that is missing',
      ['keys', 'add', '--provider', 'openai', '--label', 'x', '--key-file', '/nonexistent/key'],
      /Cannot read --key-file \(ENOENT\)/,
    ],
    [
      'a key file with two words',
      ['keys', 'add', '--provider', 'openai', '--label', 'x', '--key-file', 'SPACED'],
      /whitespace inside the key/,
    ],
    [
      'an unknown provider',
      ['keys', 'add', '--provider', 'mistral', '--label', 'x', '--key-file', 'SPACED'],
      /Unknown provider/,
    ],
    ['no edge to talk to', ['keys', 'list'], /No local edge found/],
    [
      'a limit that is not an amount',
      ['budget', 'add', '--name', 'x', '--provider', 'openai', '--limit', 'lots'],
      /amount in dollars/,
    ],
    [
      'thresholds that are not percentages',
      ['budget', 'add', '--name', 'x', '--provider', 'openai', '--limit', '10', '--threshold', '80,x'],
      /percentages/,
    ],
    [
      'a malformed webhook',
      ['budget', 'add', '--name', 'x', '--provider', 'openai', '--limit', '10', '--webhook', 'no-equals'],
      /ID=URL/,
    ],
    ['a history delete without a filter', ['history', 'delete'], /--key KEYID, --provider ID, or --all/],
    ['an export format other than csv or json', ['history', 'export', '--format', 'xml'], /csv or json/],
  ])('exits 2 on %s', async (_case, args, message) => {
    const result = await run(args.map((arg) => (arg === 'SPACED' ? join(dir, 'spaced.key') : arg)));

    expect(result.code).toBe(2);
    expect(`${result.stdout}${result.stderr}`).toMatch(message);
    expect(`${result.stdout}${result.stderr}`).not.toContain('one two');
  });
});
