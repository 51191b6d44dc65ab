import { dropLauncherEnv } from '../../firewall/launcher-env.js';
import { dataPaths, resolveDataDir } from '../../firewall/paths.js';
import { runShim } from '../../firewall/proxy/shim.js';
import { resolveOnPath } from '../../firewall/proxy/resolve-command.js';
import { readWrapArgs } from '../../firewall/clients/wrap-args.js';
import { UsageError } from '../command.js';

export const wrapUsage = 'mcp-firewall wrap --server NAME [--client ID] -- COMMAND [ARGS...]';

export interface WrapArgs {
  server: string;
  client?: string;
  command: string;
  args: string[];
}

export function parseWrapArgs(args: string[]): WrapArgs {
  const read = readWrapArgs(args);
  if (typeof read === 'string') throw new UsageError(`${read}\nusage: ${wrapUsage}`);
  const { server, client, original } = read;
  return { server, command: original.command, args: original.args, ...(client ? { client } : {}) };
}

/** The shim owns the real process stdio: it is the protocol channel to the MCP client. */
export async function runWrap(args: string[]): Promise<number> {
  const parsed = parseWrapArgs(args);
  dropLauncherEnv(process.env);
  const resolvedCommand = resolveOnPath(parsed.command, process.env, process.cwd());
  return runShim({
    ...parsed,
    ...(resolvedCommand ? { resolvedCommand } : {}),
    env: process.env,
    cwd: process.cwd(),
    input: process.stdin,
    output: process.stdout,
    log: (line) => process.stderr.write(`${line}\n`),
    socketPath: dataPaths(resolveDataDir(process.env)).socket,
    // The client launched us (the restart with node flags keeps the pid, so the parent too).
    clientPid: process.ppid,
  });
}
