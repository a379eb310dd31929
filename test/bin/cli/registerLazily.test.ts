import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { type Register, registerLazily } from '../../../bin/cli/registerLazily.ts';

function loaders(loaded: string[]): Record<string, () => Promise<Register>> {
  const loader = (name: string) => async (): Promise<Register> => {
    loaded.push(name);
    return (parent) => void parent.command(name);
  };
  return { dev: loader('dev'), agent: loader('agent'), token: loader('token') };
}

describe('registerLazily', () => {
  it('loads and registers only the command the word names', async () => {
    // Prepare
    const loaded: string[] = [];
    const program = new Command();

    // Act
    await registerLazily(program, loaders(loaded), 'agent');

    // Assess
    expect(loaded).toEqual(['agent']);
    expect(program.commands.map((c) => c.name())).toEqual(['agent']);
  });

  it.each([
    ['no word', undefined],
    ['an unknown word', 'agnet'],
    ['an option', '--help'],
    ['an inherited property name', 'constructor'],
  ])('loads every command, in order, for %s', async (_case, word) => {
    // Prepare
    const loaded: string[] = [];
    const program = new Command();

    // Act
    await registerLazily(program, loaders(loaded), word);

    // Assess
    expect(loaded).toEqual(['dev', 'agent', 'token']);
    expect(program.commands.map((c) => c.name())).toEqual(['dev', 'agent', 'token']);
  });
});
