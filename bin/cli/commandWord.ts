import type { Command } from 'commander';

/**
 * The command word of a command line, after the program's own options (`clawpulsar --stack prod agents
 * list` → `agents`), so only that command's code needs loading. Undefined when there is none (`--help`).
 *
 * @example
 * commandWord(['--stack', 'prod', 'agents', 'list'], program); // 'agents'
 */
export function commandWord(args: readonly string[], program: Command): string | undefined {
  const takesValue = new Set<string>();
  for (const option of program.options) {
    if (!option.required && !option.optional) continue;
    if (option.long) takesValue.add(option.long);
    if (option.short) takesValue.add(option.short);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') return args[i + 1];
    if (!arg.startsWith('-') || arg === '-') return arg;
    // `--stack prod` takes the next word; `--stack=prod` is one.
    if (takesValue.has(arg)) i += 1;
  }
  return undefined;
}
