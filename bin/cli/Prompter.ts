import { createInterface, type Interface } from 'node:readline/promises';
import { UsageError } from './output.ts';

/**
 * Questions on the terminal for a guided command, each with a default. With `--yes` every question
 * takes its default without asking. Lines typed ahead (or piped in) are buffered, not lost.
 *
 * @example
 * const prompter = new Prompter({ yes: options.yes });
 * const id = await prompter.ask('Agent id for this machine', 'my-laptop');
 * prompter.close();
 */
export class Prompter {
  readonly #yes: boolean;
  readonly #output: NodeJS.WritableStream;
  #rl: Interface | undefined;
  #lines: AsyncIterator<string> | undefined;

  constructor(
    options: { yes?: boolean; input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream } = {},
  ) {
    this.#yes = options.yes === true;
    this.#output = options.output ?? process.stderr;
    if (!this.#yes) {
      this.#rl = createInterface({
        input: options.input ?? process.stdin,
        output: this.#output,
        terminal: false,
      });
      this.#lines = this.#rl[Symbol.asyncIterator]();
    }
  }

  get interactive(): boolean {
    return !this.#yes;
  }

  /** The answer, trimmed; the default for an empty answer (or with --yes). */
  async ask(question: string, defaultValue = ''): Promise<string> {
    if (this.#yes) return defaultValue;
    this.#output.write(`? ${question}${defaultValue ? ` [${defaultValue}]` : ''}: `);
    const next = await (this.#lines as AsyncIterator<string>).next();
    if (next.done) {
      throw new UsageError('No answer (input ended): run with --yes and the flags you need (see --help)');
    }
    const answer = next.value.trim();
    return answer.length > 0 ? answer : defaultValue;
  }

  /** Yes or no; the default for an empty answer (or with --yes). */
  async confirm(question: string, defaultValue: boolean): Promise<boolean> {
    for (;;) {
      const answer = (await this.ask(`${question} (${defaultValue ? 'Y/n' : 'y/N'})`)).toLowerCase();
      if (answer === '') return defaultValue;
      if (answer === 'y' || answer === 'yes') return true;
      if (answer === 'n' || answer === 'no') return false;
      this.#output.write('  Please answer y or n.\n');
    }
  }

  close(): void {
    this.#rl?.close();
  }
}
