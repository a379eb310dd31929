import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandWord } from '../../../bin/cli/commandWord.ts';
import { withStackOptions } from '../../../bin/cli/stackOptions.ts';

const program = withStackOptions(new Command().version('0.1.0'));

describe('commandWord', () => {
  it.each([
    [['agents', 'list'], 'agents'],
    [['--stack', 'prod', 'agents', 'list'], 'agents'],
    [['--stack=prod', 'agents', 'list'], 'agents'],
    [['--region', 'eu-west-1', '--profile', 'ops', '--stack', 'prod', 'token', 'create'], 'token'],
    // A stack named like a command is the option's value, not the command.
    [['--stack', 'agents', 'deliveries', 'list'], 'deliveries'],
    [['--stack', 'prod', '--help'], undefined],
    [['--help'], undefined],
    [['-V'], undefined],
    [[], undefined],
    [['--stack'], undefined],
    [['--', 'agents'], 'agents'],
  ])('finds the command word in %j', (args, word) => {
    expect(commandWord(args, program)).toBe(word);
  });
});
