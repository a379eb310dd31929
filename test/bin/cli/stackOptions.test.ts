import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../../bin/cli/output.ts';
import {
  chosenStack,
  passGlobalStackOptions,
  type StackOptions,
  withStackOptions,
} from '../../../bin/cli/stackOptions.ts';

beforeEach(() => {
  vi.stubEnv('CLAWPULSAR_STACK', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('chosenStack', () => {
  it('takes --stack with --region and --profile', () => {
    expect(chosenStack({ stack: 'prod', region: 'eu-west-1', profile: 'ops' })).toEqual({
      stack: 'prod',
      region: 'eu-west-1',
      profile: 'ops',
    });
  });

  it('falls back to CLAWPULSAR_STACK, and --stack wins over it', () => {
    vi.stubEnv('CLAWPULSAR_STACK', 'from-env');

    expect(chosenStack({})).toEqual({ stack: 'from-env' });
    expect(chosenStack({ stack: 'prod' })).toEqual({ stack: 'prod' });
  });

  it('lets an edge named on the command line win over CLAWPULSAR_STACK', () => {
    vi.stubEnv('CLAWPULSAR_STACK', 'from-env');

    expect(chosenStack({ edge: 'http://127.0.0.1:7700' })).toBeUndefined();
    expect(chosenStack({ dataDir: '/tmp/edge' })).toBeUndefined();
  });

  it("falls back to the stack this machine's agent registered with, in its region unless --region says", () => {
    // Prepare
    const recorded = { name: 'Relay', region: 'eu-west-1' };

    // Assess
    expect(chosenStack({}, recorded)).toEqual({ stack: 'Relay', region: 'eu-west-1' });
    expect(chosenStack({ region: 'us-east-1', profile: 'ops' }, recorded)).toEqual({
      stack: 'Relay',
      region: 'us-east-1',
      profile: 'ops',
    });
    expect(chosenStack({}, { name: 'Relay' })).toEqual({ stack: 'Relay' });
  });

  it('lets --stack, CLAWPULSAR_STACK and a named edge win over the recorded stack', () => {
    // Prepare
    const recorded = { name: 'Relay', region: 'eu-west-1' };

    // Act
    const explicit = chosenStack({ stack: 'prod' }, recorded);
    const edge = chosenStack({ edge: 'http://127.0.0.1:7700' }, recorded);
    const dataDir = chosenStack({ dataDir: '/tmp/edge' }, recorded);
    const tokenFile = chosenStack({ tokenFile: '/tmp/t' }, recorded);
    vi.stubEnv('CLAWPULSAR_STACK', 'from-env');
    const fromEnv = chosenStack({}, recorded);

    // Assess
    expect(explicit).toEqual({ stack: 'prod' });
    expect(edge).toBeUndefined();
    expect(dataDir).toBeUndefined();
    expect(tokenFile).toBeUndefined();
    expect(fromEnv).toEqual({ stack: 'from-env' });
  });

  it('means the local edge when no stack is given anywhere', () => {
    expect(chosenStack({})).toBeUndefined();
    expect(chosenStack({ edge: 'http://127.0.0.1:7700', tokenFile: '/tmp/t' })).toBeUndefined();
  });

  it.each([
    [{ stack: 'prod', edge: 'http://127.0.0.1:7700' }, /Give one or the other/],
    [{ stack: 'prod', dataDir: '/tmp/edge' }, /Give one or the other/],
    [{ stack: 'prod', tokenFile: '/tmp/t' }, /Give one or the other/],
    [{ region: 'eu-west-1' }, /give it with --stack NAME/],
    [{ profile: 'ops' }, /give it with --stack NAME/],
  ])('refuses %j', (options, message) => {
    expect(() => chosenStack(options)).toThrow(UsageError);
    expect(() => chosenStack(options)).toThrow(message);
  });
});

describe('passGlobalStackOptions', () => {
  function program() {
    const seen: StackOptions[] = [];
    const root = new Command('clawpulsar')
      .exitOverride()
      .configureOutput({ writeErr: () => {}, writeOut: () => {} });
    passGlobalStackOptions(root);
    const agents = root.command('agents');
    withStackOptions(agents.command('list'))
      .exitOverride()
      .action((options: StackOptions) => {
        seen.push(options);
      });
    root
      .command('dev')
      .exitOverride()
      .configureOutput({ writeErr: () => {} })
      .action(() => {});
    root.enablePositionalOptions();
    return { root, seen };
  }

  it('hands options given before the command word to the command', async () => {
    const { root, seen } = program();

    await root.parseAsync(['--stack', 'prod', '--region', 'eu-west-1', 'agents', 'list'], { from: 'user' });

    expect(seen).toEqual([{ stack: 'prod', region: 'eu-west-1' }]);
  });

  it('takes them after the command word too, where the command’s own value wins', async () => {
    const { root, seen } = program();

    await root.parseAsync(['--stack', 'prod', 'agents', 'list', '--stack', 'staging', '--profile', 'ops'], {
      from: 'user',
    });

    expect(seen).toEqual([{ stack: 'staging', profile: 'ops' }]);
  });

  it('refuses them, exit code 2, for a command that cannot manage a stack', async () => {
    const { root } = program();

    const error = await root.parseAsync(['--stack', 'prod', 'dev'], { from: 'user' }).catch((e) => e);

    expect(error).toBeInstanceOf(CommanderError);
    expect(error).toMatchObject({ exitCode: 2 });
    expect((error as Error).message).toBe(
      'error: --stack is for commands that manage a stack; `clawpulsar dev` does not take it',
    );
  });
});
