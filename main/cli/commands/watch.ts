import { AUTO_PROTECT_KEY, autoProtectOn } from '../../firewall/client-watch.js';
import { createEngineStore } from '../../firewall/engine-store.js';
import { setSetting } from '../../firewall/store/database.js';
import { UsageError, type CommandHandler } from '../command.js';

export const watchUsage = 'mcp-firewall watch auto-protect on|off|status';

/** The engine reads this setting on every look at the client configs; no restart needed. */
export const watchCommand: CommandHandler = async (args, io) => {
  const [what, value] = args;
  if (what !== 'auto-protect' || args.length > 2 || !['on', 'off', 'status', undefined].includes(value)) throw new UsageError(`usage: ${watchUsage}`);
  const store = createEngineStore(io.env);
  try {
    if (value === 'on' || value === 'off') setSetting(store.db, AUTO_PROTECT_KEY, value);
    const now = autoProtectOn(store.db);
    io.stdout(`auto-protect: ${now ? 'on — unprotected entries that appear in client configs are routed through the firewall again' : 'off — they are reported as shadow servers'}\n`);
    return 0;
  } finally {
    store.close();
  }
};
