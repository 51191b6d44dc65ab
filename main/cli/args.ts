import { UsageError } from './command.js';

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

/**
 * `--name value`, `--name=value` and bare `--flag`; names listed in `booleans` never take a
 * value. A bare `--` ends the options: what follows is positional (a server named `--x`).
 */
export function parseArgs(args: string[], booleans: string[] = []): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    // Only `--word` is a flag: a positional such as SQL may itself start with a `--` comment.
    if (!/^--[A-Za-z][\w-]*(=|$)/.test(arg.split('\n')[0]!)) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (eq !== -1) flags.set(name, arg.slice(eq + 1));
    else if (booleans.includes(name) || i + 1 >= args.length || args[i + 1]!.startsWith('--')) flags.set(name, true);
    else flags.set(name, args[++i]!);
  }
  return { positional, flags };
}

export function stringFlag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.flags.get(name);
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}

/**
 * Unknown flags and surplus positionals are usage errors, never ignored: a mistyped
 * `serve --polciy strict.yaml` would otherwise run the default policy without a word.
 */
export function expectOnly(parsed: ParsedArgs, flags: readonly string[], maxPositional: number, usage: string): void {
  const unknown = [...parsed.flags.keys()].find((name) => !flags.includes(name));
  if (unknown !== undefined) throw new UsageError(`unknown option --${unknown}\nusage: ${usage}`);
  const extra = parsed.positional[maxPositional];
  if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'\nusage: ${usage}`);
}
