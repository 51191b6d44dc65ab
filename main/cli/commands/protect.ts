import { protectClients, unprotectClients } from '../../firewall/clients/index.js';
import { editText } from '../../firewall/clients/report-text.js';
import type { CommandHandler } from '../command.js';
import { coreDeps, defaultClientDeps, parseClientArgs, type ClientCommandDeps } from './scan.js';

export const PROTECT_USAGE = 'usage: mcp-firewall protect [--client ID] [--dry-run] [--json] [--project DIR]…';
export const UNPROTECT_USAGE = 'usage: mcp-firewall unprotect [--client ID] [--dry-run] [--json] [--project DIR]…';

const FLAGS = ['--json', '--client', '--dry-run', '--project'];

function createEditCommand(run: typeof protectClients, deps: ClientCommandDeps | (() => ClientCommandDeps)): CommandHandler {
  return async (args, io) => {
    const parsed = parseClientArgs(args, FLAGS);
    const resolved = typeof deps === 'function' ? deps() : deps;
    const report = await run(coreDeps(resolved, io, parsed), {
      dryRun: parsed.dryRun,
      ...(parsed.client ? { client: parsed.client } : {}),
    });
    io.stdout(parsed.json ? JSON.stringify(report, null, 2) + '\n' : editText(report));
    return report.errors.length > 0 ? 1 : 0;
  };
}

export const createProtectCommand = (deps: ClientCommandDeps | (() => ClientCommandDeps)) => createEditCommand(protectClients, deps);
export const createUnprotectCommand = (deps: ClientCommandDeps | (() => ClientCommandDeps)) => createEditCommand(unprotectClients, deps);

export const protectCommand: CommandHandler = createProtectCommand(defaultClientDeps);
export const unprotectCommand: CommandHandler = createUnprotectCommand(defaultClientDeps);
