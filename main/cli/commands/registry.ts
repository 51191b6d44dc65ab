import { createEngineStore } from '../../firewall/engine-store.js';
import { formatFingerprint, type RegistryEntry } from '../../firewall/registry/registry.js';
import { parseArgs } from '../args.js';
import { UsageError, type CommandHandler, type CliIo } from '../command.js';
import { callEngine, EngineNotRunning } from '../control-client.js';
import { formatTable } from './output.js';

export const registryUsage = 'mcp-firewall registry list [--json] | approve NAME | disable NAME | enable NAME';

/**
 * Goes through the running engine when there is one (so a disable stops live sessions
 * at once); otherwise edits the store directly, so servers can be approved before the
 * engine is ever started.
 */
async function viaEngineOrStore<T>(io: CliIo, remote: () => Promise<unknown>, local: (store: ReturnType<typeof createEngineStore>) => T): Promise<T | unknown> {
  try {
    return await remote();
  } catch (error) {
    if (!(error instanceof EngineNotRunning)) throw error;
    const store = createEngineStore(io.env);
    try {
      return local(store);
    } finally {
      store.close();
    }
  }
}

export const registryCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args, ['json']);
  const [verb, name] = parsed.positional;
  if (verb === 'list') {
    const entries = (await viaEngineOrStore(io, () => callEngine(io.env, 'GET', '/registry'), (s) => s.registry.list())) as RegistryEntry[];
    if (parsed.flags.has('json')) io.stdout(`${JSON.stringify(entries, null, 2)}\n`);
    else io.stdout(formatTable(['name', 'enabled', 'launch', 'approvedAt'], entries.map((e) => ({ ...e, launch: e.fingerprint ? formatFingerprint(e.fingerprint) : '(pinned on first run)' }))));
    return 0;
  }
  if (!name || !['approve', 'disable', 'enable'].includes(verb ?? '')) throw new UsageError(`usage: ${registryUsage}`);
  const path = `/registry/${encodeURIComponent(name)}/${verb}`;
  const entry = (await viaEngineOrStore(io, () => callEngine(io.env, 'POST', path), (s) => {
    if (verb === 'approve') return s.approveServer(name, 'cli');
    const result = s.setServerEnabled(name, verb === 'enable', 'cli');
    if (!result) throw new Error(`server '${name}' is not in the registry`);
    return result;
  })) as RegistryEntry;
  const launch = entry.fingerprint ? `launch line pinned: ${formatFingerprint(entry.fingerprint)}` : 'its launch line will be pinned on first run';
  io.stdout(`${name}: ${verb === 'approve' ? `approved; ${launch}` : `${verb}d`}\n`);
  return 0;
};
