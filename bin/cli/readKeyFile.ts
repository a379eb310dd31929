import { readFileSync } from 'node:fs';
import { UsageError } from './output.ts';

/**
 * Reads a secret (a provider key) from a file the user wrote it to, so it never sits in shell history or
 * a process list. Surrounding whitespace is dropped; whitespace inside means the file holds more than
 * the key. The key itself never appears in an error.
 *
 * @example
 * const key = readKeyFile('~/.config/openai-admin-key', '--key-file');
 */
export function readKeyFile(path: string, option: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`Cannot read ${option} (${code}).`);
  }
  const key = text.trim();
  if (!key) throw new UsageError(`${option} is empty; put the key in it.`);
  if (/\s/.test(key))
    throw new UsageError(`${option} holds whitespace inside the key; put only the key in the file.`);
  return key;
}
