import { createEngineStore } from '../../firewall/engine-store.js';
import { interposerUrl } from '../../firewall/clients/route-url.js';
import { resolveDataDir } from '../../firewall/paths.js';
import { grantsForgottenText, type ServerApproval } from '../../firewall/approvals/replaced-launch-grants.js';
import { formatFingerprint, isLaunchDigest, launchDigest, launchText, remoteFingerprint, remoteUrlProblem, sameLaunch, type LaunchFingerprint, type RegistryEntry, type RemoteTransport } from '../../firewall/registry/registry.js';
import { argWord } from '../../firewall/shell-word.js';
import { listedEntries, type ListedEntry } from '../../firewall/registry/listed-entries.js';
import { loadRouteKey } from '../../firewall/route-key.js';
import { expectOnly, parseArgs, stringFlag } from '../args.js';
import { UsageError, type CommandHandler, type CliIo } from '../command.js';
import { callEngine, EngineNotRunning, readControlInfo } from '../control-client.js';
import { formatTable } from './output.js';

export const registryUsage = 'mcp-firewall registry list [--json] | approve NAME [--launch DIGEST] [--replace | --url URL [--sse]] | disable NAME | enable NAME';

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

const LAUNCH_WIDTH = 60;

/**
 * A launch line that fits the table: what runs (the command's own name) and the line's end,
 * where its arguments (a root, a profile) tell one from another.
 */
export function launchCell(fp: RegistryEntry['fingerprint']): string {
  if (!fp) return '(pinned on first run)';
  const text = formatFingerprint(fp);
  if (text.length <= LAUNCH_WIDTH) return text;
  const program = formatFingerprint({ command: fp.command.split(/[\\/]/).pop() || fp.command, args: [] }).slice(0, 20);
  return `${program} …${text.slice(-(LAUNCH_WIDTH - program.length - 2))}`;
}

/** A registry entry as table rows: its pinned launch line, then one row per other approved one; `runs`: where its command was found. */
function listRows(e: RegistryEntry): Array<Record<string, unknown>> {
  return [{ ...e, launch: launchCell(e.fingerprint), runs: e.fingerprint?.resolved ?? '' }, ...(e.moreLaunches ?? []).map((more) => ({ launch: launchCell(more), runs: more.resolved ?? '' }))];
}

/** An approved name's launch line waiting for a person (refused as drift, proposed), and how to approve that line and no other. */
function waitingText(e: ListedEntry): string {
  if (!e.waiting) return '';
  const digest = launchDigest(e.waiting);
  return `${e.name} waiting: ${launchText(e.waiting)}\n  approve it with: mcp-firewall registry approve --launch ${digest} ${argWord(e.name)}\n`;
}

export const registryCommand: CommandHandler = async (args, io) => {
  const parsed = parseArgs(args, ['json', 'sse', 'replace']);
  expectOnly(parsed, ['json', 'sse', 'replace', 'url', 'launch'], 2, registryUsage);
  const [verb, name] = parsed.positional;
  if (verb === 'list') {
    const entries = (await viaEngineOrStore(io, () => callEngine(io.env, 'GET', '/registry'), (s) => listedEntries(s.registry))) as ListedEntry[];
    if (parsed.flags.has('json')) io.stdout(`${JSON.stringify(entries, null, 2)}\n`);
    else io.stdout(formatTable(['name', 'enabled', 'launch', 'runs', 'approvedAt'], entries.flatMap(listRows)) + entries.map(waitingText).join(''));
    return 0;
  }
  if (!name || !['approve', 'disable', 'enable'].includes(verb ?? '')) throw new UsageError(`usage: ${registryUsage}`);
  // A remote server: its URL (and transport: --sse for the legacy HTTP+SSE one) is pinned
  // as its launch line, so /mcp/NAME reaches it and only it.
  const url = verb === 'approve' ? stringFlag(parsed, 'url') : undefined;
  const transport: RemoteTransport = parsed.flags.has('sse') ? 'sse' : 'http';
  if (transport === 'sse' && url === undefined) throw new UsageError('--sse goes with --url URL (a legacy HTTP+SSE server)');
  // --replace: the line approved now is the only one left (an upgrade, a line approved by mistake).
  const replace = verb === 'approve' && parsed.flags.has('replace');
  if (replace && url !== undefined) throw new UsageError('--replace is for local launch lines; a URL always replaces what was pinned');
  const problem = url === undefined ? null : remoteUrlProblem(url);
  if (problem) throw new UsageError(problem);
  // --launch DIGEST: the waiting line a refusal or `registry list` named; another one waiting now is refused.
  const launch = verb === 'approve' ? stringFlag(parsed, 'launch') : undefined;
  if (launch !== undefined && !isLaunchDigest(launch)) throw new UsageError('--launch takes the 12-digit launch digest a refusal or `registry list` shows');
  if (launch !== undefined && url !== undefined) throw new UsageError('--launch names a waiting launch line; --url pins the URL given');
  const path = `/registry/${encodeURIComponent(name)}/${verb}`;
  const body = url !== undefined ? { url, ...(transport === 'sse' ? { transport } : {}) } : replace || launch ? { ...(replace ? { replace } : {}), ...(launch ? { launch } : {}) } : undefined;
  const entry = (await viaEngineOrStore(io, () => callEngine(io.env, 'POST', path, body), (s) => {
    if (verb === 'approve' && url !== undefined) return s.approveServer(name, 'cli', {}, remoteFingerprint(url, transport));
    if (verb === 'approve') return s.approveServer(name, 'cli', { replace, ...(launch ? { launch } : {}) });
    const result = s.setServerEnabled(name, verb === 'enable', 'cli');
    if (!result) throw new Error(`server '${name}' is not in the registry`);
    return result;
  })) as RegistryEntry & Partial<Pick<ServerApproval, 'grantsForgotten' | 'approvedLine'>>;
  // The line this approval pinned, which need not be the first one pinned under the name.
  const pinned = entry.approvedLine ?? entry.fingerprint;
  const pinnedText = pinned ? `launch line pinned: ${launchText(pinned)}` : 'its launch line will be pinned on first run';
  io.stdout(`${name}: ${verb === 'approve' ? `approved; ${pinnedText}` : `${verb}d`}\n`);
  // One name, several launch lines (another client's arguments): say which others are approved.
  const others = [entry.fingerprint, ...(entry.moreLaunches ?? [])].filter((line): line is LaunchFingerprint => line !== null && !(pinned && sameLaunch(line, pinned)));
  for (const more of verb === 'approve' ? others : []) io.stdout(`  also approved: ${launchText(more)}\n`);
  // "Always" answers were given for the launch line replaced, not for the one approved now.
  if (entry.grantsForgotten) io.stdout(`${grantsForgottenText(entry.grantsForgotten)}: they were given for the launch line replaced\n`);
  if (url !== undefined) {
    // 7337: serve's default port (not imported: that would load the whole engine host into this command).
    const port = readControlInfo(io.env)?.info.port ?? 7337;
    // Either route reaches either transport (the relay sits between): the client keeps its own.
    const key = loadRouteKey(resolveDataDir(io.env));
    io.stdout(`point your MCP client at ${interposerUrl(port, name, key)} (Streamable HTTP) or ${interposerUrl(port, name, key, 'sse')} (legacy SSE)\n`);
  }
  return 0;
};
