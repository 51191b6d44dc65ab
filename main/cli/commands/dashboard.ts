import { resolveDataDir } from '../../firewall/paths.js';
import { UsageError, type CommandHandler } from '../command.js';
import { callEngine, readControlInfo } from '../control-client.js';
import { openInBrowser } from '../open-browser.js';

export const dashboardUsage = 'mcp-firewall dashboard [--print-url]';

export function createDashboardCommand(open: (url: string) => Promise<void> = openInBrowser): CommandHandler {
  return async (args, io) => {
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

export const dashboardCommand = createDashboardCommand();
