import { dropLauncherEnv } from '../../firewall/launcher-env.js';
import { dataPaths, resolveDataDir } from '../../firewall/paths.js';
import { runShim } from '../../firewall/proxy/shim.js';
import { UsageError } from '../command.js';

export const wrapUsage = 'mcp-firewall wrap --server NAME [--client ID] -- COMMAND [ARGS...]';

export interface WrapArgs {
  server: string;
  client?: string;
  command: string;
  args: string[];
}

export function parseWrapArgs(args: string[]): WrapArgs {
  const split = args.indexOf('--');
  if (split === -1) throw new UsageError(`missing '--' before the server command\nusage: ${wrapUsage}`);
  const own = args.slice(0, split);
  const [command, ...rest] = args.slice(split + 1);
  let server: string | undefined;
  let client: string | undefined;
  for (let i = 0; i < own.length; i++) {
    const flag = own[i];
    const value = own[i + 1];
    if ((flag === '--server' || flag === '--client') && value !== undefined) {
      if (flag === '--server') server = value;
      else client = value;
      i++;
    } else {
      throw new UsageError(`unexpected argument '${flag}'\nusage: ${wrapUsage}`);
    }
  }
  if (!server) throw new UsageError(`--server NAME is required\nusage: ${wrapUsage}`);
  if (!command) throw new UsageError(`no server command after '--'\nusage: ${wrapUsage}`);
  return { server, command, args: rest, ...(client ? { client } : {}) };
}

/** The shim owns the real process stdio: it is the protocol channel to the MCP client. */
export async function runWrap(args: string[]): Promise<number> {
  const parsed = parseWrapArgs(args);
  dropLauncherEnv(process.env);
  return runShim({
    ...parsed,
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
