import { resolveDataDir } from '../../firewall/paths.js';
import { UsageError, type CliIo, type CommandHandler } from '../command.js';
import { callEngine, EngineNotRunning, readControlInfo } from '../control-client.js';
import { openInBrowser } from '../open-browser.js';

export const dashboardUsage = 'mcp-firewall dashboard [--print-url] | logout-all';

export function createDashboardCommand(open: (url: string) => Promise<void> = openInBrowser): CommandHandler {
  return async (args, io) => {
    if (args[0] === 'logout-all') {
      if (args.length > 1) throw new UsageError(`unknown option ${args[1]}\nusage: ${dashboardUsage}`);
      return logoutAll(io);
    }
    const unknown = args.filter((a) => a !== '--print-url');
    if (unknown.length > 0) throw new UsageError(`unknown option ${unknown[0]}\nusage: ${dashboardUsage}`);
    const control = readControlInfo(io.env);
    if (!control) {
      io.stderr(`MCP Firewall is not running for ${resolveDataDir(io.env)}. Start it with: mcp-firewall serve\n`);
      return 1;
    }
    // A fresh link that works once: the engine mints it (a link in shell history or a
    // browser's must not log anyone in later).
    const { url } = (await callEngine(io.env, 'POST', '/login-url')) as { url: string };
    if (args.includes('--print-url')) {
      io.stdout(`${url}\n`);
      return 0;
    }
    try {
      await open(url);
      io.stderr(`Opened the MCP Firewall dashboard (port ${control.info.port}) in your browser.\n`);
      return 0;
    } catch (error) {
      io.stderr(`Could not open a browser (${(error as Error).message}). Open this URL yourself:\n${url}\n`);
      return 1;
    }
  };
}

/** For a session cookie that may have been copied: every browser must log in again. */
async function logoutAll(io: CliIo): Promise<number> {
  try {
    const { ended } = (await callEngine(io.env, 'POST', '/logout-all')) as { ended: number };
    io.stdout(`Ended ${ended} dashboard session${ended === 1 ? '' : 's'}. A browser logs in again with: mcp-firewall dashboard\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof EngineNotRunning)) throw error;
    // Sessions live in the engine's memory: none outlives it.
    io.stdout(`MCP Firewall is not running for ${resolveDataDir(io.env)}: there are no dashboard sessions.\n`);
    return 0;
  }
}

export const dashboardCommand = createDashboardCommand();
