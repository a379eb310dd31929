import type { Command } from 'commander';

/** Adds a (sub)command to its parent. */
export type Register = (parent: Command) => void | Promise<void>;

/**
 * Registers only the command named by `word`, loading its module then; help and unknown words load them
 * all, so commander still lists every command and suggests the nearest one.
 *
 * @example
 * await registerLazily(program, { dev: async () => (await import('./commands/dev.ts')).registerDev }, 'dev');
 */
export async function registerLazily(
  parent: Command,
  loaders: Readonly<Record<string, () => Promise<Register>>>,
  word: string | undefined,
): Promise<void> {
  const chosen = word !== undefined && Object.hasOwn(loaders, word) ? [word] : Object.keys(loaders);
  for (const name of chosen) await (await (loaders[name] as () => Promise<Register>)())(parent);
}
