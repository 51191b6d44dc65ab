import type { Launch } from './types.js';

// Its own module, loading nothing: every shim parses its argv with it (cli/commands/wrap.ts),
// and a shim stays small (node:crypto alone is ~1.2 MB of RSS, see wrap-line.ts's hashes).

export interface WrapArgs {
  server: string;
  client?: string;
  original: Launch;
}

/**
 * Reads what follows `wrap`: `--server NAME [--client ID] -- COMMAND [ARGS...]`, shared by
 * the shim (cli/commands/wrap.ts) and scan. A flag's value is taken as it stands, before any
 * `--` is looked for, so every name protect writes comes back as itself (`--`, `-x`);
 * splitting at the first `--` made a server named `--` a line the shim refused to start.
 * A string: why the arguments are no wrap line.
 */
export function readWrapArgs(args: string[]): WrapArgs | string {
  let server: string | undefined;
  let client: string | undefined;
  for (let i = 0; i < args.length; i += 2) {
    const flag = args[i]!;
    if (flag === '--') {
      const [command, ...rest] = args.slice(i + 1);
      if (!server) return '--server NAME is required';
      if (!command) return "no server command after '--'";
      return { server, ...(client ? { client } : {}), original: { command, args: rest } };
    }
    const value = args[i + 1];
    if ((flag !== '--server' && flag !== '--client') || value === undefined) return `unexpected argument '${flag}'`;
    if (flag === '--server') server = value;
    else client = value;
  }
  return "missing '--' before the server command";
}
