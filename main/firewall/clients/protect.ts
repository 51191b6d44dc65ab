import { CLIENT_ADAPTERS } from './registry.js';
import { runningClientWarnings, runningProcessNames } from './running-clients.js';
import { deleteState, loadSavedOriginal, loadState, saveState, type EntryRecord, type FileState, type OpRecord } from './bookkeeping.js';
import { scrubBackups, writeBackup } from './backups.js';
import { discover, type LoadedFile } from './discover.js';
import { assertUnchanged, assertWritable, sha256 } from './file-io.js';
import { writeConfig } from './write-config.js';
import { createConfigsLock } from './configs-lock.js';
import { editorFor, UnsupportedEditError } from './formats/index.js';
import { movedDetail, planSecretMoves, verifyMoved, type MoveSecret, type SecretMove } from './move-secrets.js';
import { launchOps, readEntries, type LaunchOp } from './read-entries.js';
import { clientToken, decideRemote, entryIdentity, standingDetail, tokenHint, urlIdentity } from './remote-route.js';
import { routedTarget } from './route-url.js';
import { foreignRuntimeDetail, isOurWrap } from './scan.js';
import { withRouteKeyMasked } from './secrets.js';
import { placeholdersFor, placeholderText, scrubBackup, scrubOriginal } from './scrub-copies.js';
import { scrubEarlierCopies } from './scrub-earlier.js';
import type { ClientsDeps, DiscoveredServer, FileError, KeyPath, Launch } from './types.js';
import { buildWrapLaunch, wrapPrefix } from './wrap-line.js';
import { envRunningCode, envRunningCodeDetail } from './shim-env.js';
import { decideRepoint, staleRouteOf } from './stale-route.js';
import { decideWrapRepoint, goneWrapPaths } from './stale-wrap.js';
import { pinnedRemote, type RemotePin } from '../registry/registry.js';
import { narrowToOwner } from '../private-file.js';
import { isProjectFile, projectRouteDetail } from './project-route.js';
import { serverNameProblem } from './server-name.js';
import { argWord } from '../shell-word.js';

export type EntryOutcome =
  | 'protected'
  | 'would-protect'
  | 'already-protected'
  | 'repointed'
  | 'would-repoint'
  | 'remote-not-routed'
  | 'unsupported'
  | 'refused'
  | 'restored'
  | 'would-restore'
  | 'left-modified';

export interface EntryResult {
  client: string;
  file: string;
  scope: string;
  name: string;
  outcome: EntryOutcome;
  detail?: string;
  /** A re-pointed entry: the route URL it had and has now, or its wrap line's runtime and cli. */
  route?: { from: string; to: string };
}

export interface EditReport {
  entries: EntryResult[];
  errors: FileError[];
  /** Backups written, one per changed file. */
  backups: string[];
  /** Clients that run and may write their old config back (restart them). */
  warnings?: string[];
}

export interface EditOptions {
  client?: string;
  dryRun?: boolean;
}

/** moveSecret set: `protect --move-secrets`, plaintext env secrets go to the keychain. */
export type EditDeps = ClientsDeps & {
  dryRun?: boolean;
  moveSecret?: MoveSecret;
  /** The running processes' names (injectable for tests); defaults to the OS process list. */
  runningProcesses?: () => Set<string>;
  /** Only move stale routes to the engine's port and stale wrap lines to this runtime, protecting nothing new (the engine's start). */
  repointOnly?: boolean;
};

/** Adds "restart it" warnings for running clients whose files changed (`files`: those read, to know who else reads each). */
export function warnAboutRunningClients(report: EditReport, deps: EditDeps, files: LoadedFile[]): EditReport {
  if (deps.dryRun) return report;
  const readers = new Map(files.map((f) => [f.spec.path, f.readers]));
  const warnings = runningClientWarnings(report, CLIENT_ADAPTERS, (deps.runningProcesses ?? (() => runningProcessNames(deps.platform)))(), readers);
  return warnings.length > 0 ? { ...report, warnings } : report;
}

export const samePath = (a: KeyPath, b: KeyPath): boolean => JSON.stringify(a) === JSON.stringify(b);

interface PlannedFile {
  text: string;
  records: EntryRecord[];
  results: EntryResult[];
  moves: SecretMove[];
  /** Remote entries whose original URL becomes the server's proposal once the file is written. */
  proposals: { name: string; pin: RemotePin }[];
  /** Wrap lines moved to this runtime and cli; `recorded`: their bookkeeping record moved with them. */
  wraps: { path: KeyPath; launch: Launch; recorded: boolean }[];
  /** Local entries wrapped anew: their original launch is approved once the file is written, and `result` tells how. */
  approvals: { name: string; launch: Launch; result: EntryResult }[];
}

type Base = Omit<EntryResult, 'outcome' | 'detail'>;

/** For an entry routed earlier: whether its original URL (from our bookkeeping) still waits for approval. */
function routedDetail(server: DiscoveredServer, rec: EntryRecord | undefined, deps: EditDeps): string | undefined {
  const pin = rec?.kind === 'remote' ? pinnedRemote(rec.original) : null;
  if (!pin || !deps.remote) return undefined;
  const standing = deps.remote.standing(server.name, pin);
  return standing.kind === 'conflict' ? `registry: ${standing.reason}` : standingDetail(server.name, standing);
}

function planFile(file: LoadedFile, deps: EditDeps): PlannedFile {
  const edits = editorFor(file.spec.format).edits(file.text);
  const plan: PlannedFile = { text: file.text, records: [], results: [], moves: [], proposals: [], wraps: [], approvals: [] };
  // Read only when an entry needs it: a file without routes never depends on our bookkeeping.
  let state: FileState | null | undefined;
  const recordOf = (server: DiscoveredServer) => {
    if (state === undefined) state = loadState(deps.dataDir, file.spec.path) ?? null;
    return state?.entries.find((e) => samePath(e.path, server.path));
  };
  // Applies one entry's edits, or none of them when the editor cannot make one.
  const edit = (base: Base, server: DiscoveredServer, ops: LaunchOp[], moveSecrets = true): { done: OpRecord[]; moved: SecretMove[] } | undefined => {
    try {
      return edits.entry(server.path, (entry) => {
        const done = ops.map((op) => {
          const originalText = entry.textAt(op.path);
          entry.set(op.path, op.value, op.after);
          return { path: op.path, originalText };
        });
        // Secret removals are not span-recorded: unprotect never writes a moved secret back
        // unless it restores the whole original file.
        const moved = deps.moveSecret && moveSecrets ? planSecretMoves(server, file.spec) : [];
        for (const m of moved) entry.remove(m.path);
        plan.moves.push(...moved);
        return { done, moved };
      });
    } catch (err) {
      if (!(err instanceof UnsupportedEditError)) throw err;
      plan.results.push({ ...base, outcome: 'unsupported', detail: err.message });
      return undefined;
    }
  };
  const outcome = deps.dryRun ? 'would-protect' : 'protected';
  for (const server of file.servers) {
    const base = { client: file.adapter.id, file: file.spec.path, scope: server.scope, name: server.name };
    // The shim's --server and the /mcp/NAME route must carry the name as it is (server-name.ts).
    const badName = serverNameProblem(server);
    if (badName) {
      if (!deps.repointOnly) plan.results.push({ ...base, outcome: 'unsupported', detail: `${badName}; left as is` });
      continue;
    }
    if (server.transport === 'http' || server.transport === 'sse') {
      // Neither routed nor re-pointed: either would write the route key into a file shared with the repo.
      if (isProjectFile(file.spec)) {
        const target = routedTarget(server.url);
        const current = target !== undefined && target.port === deps.remote?.port && target.key === deps.remote.key;
        if (!deps.repointOnly) plan.results.push({ ...base, outcome: current ? 'already-protected' : 'remote-not-routed', detail: projectRouteDetail(server, target !== undefined) });
        continue;
      }
      const route = staleRouteOf(server, deps.remote);
      if (route) {
        const decision = decideRepoint(server, file.spec, route, recordOf(server));
        if (!decision.repoint) {
          plan.results.push({ ...base, outcome: 'remote-not-routed', detail: decision.detail });
          continue;
        }
        // Not a new protection: the entry was routed and its secrets already handled.
        if (!edit(base, server, decision.keys.map((k) => ({ path: [...server.path, k], value: decision.inserted })), false)) continue;
        // The record keeps its ops: their text is the URL from before the first protect,
        // which unprotect puts back; only what we inserted changes.
        plan.records.push({ ...decision.record, inserted: { command: decision.record.inserted.command, args: [decision.inserted] } });
        const moved = route.port !== route.enginePort ? `from port ${route.port} to port ${route.enginePort}, where the firewall listens` : "given this install's route key";
        const detail = [moved, routedDetail(server, decision.record, deps)];
        plan.results.push({
          ...base, outcome: deps.dryRun ? 'would-repoint' : 'repointed', detail: detail.filter((d) => d !== undefined).join('; '),
          route: { from: withRouteKeyMasked(server.url!), to: withRouteKeyMasked(decision.inserted) },
        });
        continue;
      }
      if (deps.repointOnly) continue;
      const decision = decideRemote(server, file.spec, deps.remote);
      if (!decision.routed) {
        const detail = decision.already ? routedDetail(server, recordOf(server), deps) : decision.detail;
        plan.results.push({ ...base, outcome: decision.already ? 'already-protected' : 'remote-not-routed', ...(detail ? { detail } : {}) });
        continue;
      }
      const edited = edit(base, server, decision.keys.map((k) => ({ path: [...server.path, k], value: decision.inserted })));
      if (!edited) continue;
      const { done: ops, moved } = edited;
      const { pin } = decision;
      plan.records.push({
        kind: 'remote', name: server.name, path: server.path, original: urlIdentity(pin.url, pin.transport), inserted: urlIdentity(decision.inserted, pin.transport), ops,
        ...(moved.length > 0 ? { movedSecrets: moved.map((m) => m.name) } : {}),
      });
      if (decision.standing.kind === 'pending') plan.proposals.push({ name: server.name, pin });
      const detail = [
        standingDetail(server.name, decision.standing),
        moved.length > 0 ? movedDetail(moved, deps.dryRun === true) : clientToken(server, file.spec) ? tokenHint(server.name) : undefined,
      ].filter((d) => d !== undefined);
      plan.results.push({ ...base, outcome, ...(detail.length > 0 ? { detail: detail.join('; ') } : {}) });
      continue;
    }
    // Wrapped (or re-pointed), such an entry runs code of its env's choosing inside the shim.
    const injected = server.transport === 'stdio' ? envRunningCode(server, file.spec) : [];
    if (injected.length > 0) {
      if (!deps.repointOnly) plan.results.push({ ...base, outcome: 'refused', detail: envRunningCodeDetail(injected) });
      continue;
    }
    const ours = server.wrapped && isOurWrap(server, deps, file);
    const wrap = server.wrapped ? decideWrapRepoint(server, file.spec, ours, recordOf(server), deps.runtimePath, deps.cliPath) : undefined;
    if (wrap?.repoint) {
      // Not a new protection: the original launch after `--` stays, and so does its approval.
      if (!edit(base, server, launchOps(server, file.spec, wrap.launch), false)) continue;
      if (wrap.record) plan.records.push(wrap.record);
      plan.wraps.push({ path: server.path, launch: wrap.launch, recorded: wrap.record !== undefined });
      plan.results.push({ ...base, outcome: deps.dryRun ? 'would-repoint' : 'repointed', detail: wrap.detail, route: { from: wrap.from, to: wrap.to } });
      continue;
    }
    if (deps.repointOnly) continue;
    if (server.wrapped && !ours) {
      // Not wrapped again (that would nest shims), but not protected either: an installer can
      // write this shape to slip past us, and scan and the watcher count it as shadow.
      // Nor is one of our cli behind another program wrapped: protect would approve that
      // program's launch line, dressed up to pass for ours; a person looks at it first.
      const foreign = foreignRuntimeDetail(server.launch!, deps);
      plan.results.push({
        ...base, outcome: 'unsupported',
        detail: foreign
          ? `${foreign}; not protected, left as is: put back the server's own command and protect again`
          : `a wrap line of an unknown cli (${wrapPrefix(server.launch!).at(-1)}), not this install's, so not protected; left as is: unprotect it with the install that wrote it, or put back the server's own command and protect again`,
      });
      continue;
    }
    if (server.wrapped) {
      // Secrets move only while an entry is wrapped: asked for here, the user must hear that
      // these stayed rather than take the file for clean.
      const stayed = deps.moveSecret ? planSecretMoves(server, file.spec).map((m) => m.name) : [];
      const left = stayed.length > 0 ? `--move-secrets moves secrets only out of entries it protects anew: ${stayed.join(', ')} stays in the file (unprotect, then protect --move-secrets)` : undefined;
      const detail = [wrap?.detail, left].filter((d) => d !== undefined).join('; ');
      plan.results.push({ ...base, outcome: 'already-protected', ...(detail ? { detail } : {}) });
      continue;
    }
    if (server.transport !== 'stdio' || !server.launch || server.problem !== undefined) {
      plan.results.push({ ...base, outcome: 'unsupported', detail: server.problem ? `${server.problem}; left as is` : 'no command to wrap' });
      continue;
    }
    const inserted = buildWrapLaunch(deps.runtimePath, deps.cliPath, server.name, file.readers.length > 1 ? undefined : file.adapter.id, server.launch);
    const edited = edit(base, server, launchOps(server, file.spec, inserted));
    if (!edited) continue;
    const { done: ops, moved } = edited;
    plan.records.push({ name: server.name, path: server.path, original: server.launch, inserted, ops, ...(moved.length > 0 ? { movedSecrets: moved.map((m) => m.name) } : {}) });
    const result: EntryResult = { ...base, outcome, ...(moved.length > 0 ? { detail: movedDetail(moved, deps.dryRun === true) } : {}) };
    plan.results.push(result);
    plan.approvals.push({ name: server.name, launch: server.launch, result });
  }
  plan.text = edits.text();
  return plan;
}

/** Re-reads our own output: every rewritten entry must parse back to exactly the launch we meant. */
export function verifyLaunches(file: LoadedFile, text: string, expected: { path: KeyPath; launch: unknown }[]): void {
  const servers = readEntries(file.adapter.id, file.spec, editorFor(file.spec.format).parse(text));
  for (const e of expected) {
    const got = servers.find((s) => samePath(s.path, e.path));
    if (!got || JSON.stringify(entryIdentity(got)) !== JSON.stringify(e.launch)) {
      throw new Error(`edit check failed for ${JSON.stringify(e.path)}; file left untouched`);
    }
  }
}

function mergeState(file: LoadedFile, previous: FileState | undefined, plan: PlannedFile, newHash: string): FileState {
  const { records } = plan;
  // A wrap line moved without a record of ours (bookkeeping lost): the bytes before this
  // run hold its dead paths, so they are no original to restore; the wrap line is.
  const unrecorded = plan.wraps.some((w) => !w.recorded);
  if (!previous) {
    return { version: 1, client: file.adapter.id, file: file.spec.path, ...(unrecorded ? {} : { originalHash: file.hash }), protectedHash: newHash, entries: records };
  }
  // The file moved on since we protected it (a client rewrite, a new server): our saved
  // original is no longer the whole truth, so from now on only span restore is honest.
  // Still exactly as we left it (a re-pointed route, an entry routable now): every change
  // in it is ours, so the saved original still undoes them all.
  const unchanged = file.hash === previous.protectedHash && !unrecorded;
  const kept = previous.entries.filter((e) => !records.some((r) => samePath(r.path, e.path)));
  return { ...previous, originalHash: unchanged ? previous.originalHash : undefined, protectedHash: newHash, entries: [...kept, ...records] };
}

/**
 * The bytes to save as the original, the secrets moved out of it as placeholders, setting
 * `state.scrubbed`; undefined keeps the saved copy as it is. When no copy without them gives
 * the file back exactly, none is kept (unprotect then restores entry by entry).
 * `saved`: the original saved before, when this run moves secrets from a file protected before.
 */
function originalToSave(file: LoadedFile, previous: FileState | undefined, saved: Buffer | undefined, state: FileState, moves: SecretMove[], placed: ReturnType<typeof placeholdersFor>): Buffer | undefined {
  if (!state.originalHash) delete state.scrubbed;
  if (!state.originalHash || (previous && moves.length === 0)) return undefined;
  const base = previous ? saved : file.bytes;
  const scrubbed = base && scrubOriginal(base, file.spec.format, moves, placed, previous?.scrubbed?.secrets ?? []);
  if (!scrubbed) {
    delete state.originalHash;
    delete state.scrubbed;
    return undefined;
  }
  if (scrubbed.secrets.length > 0) state.scrubbed = { hash: sha256(scrubbed.bytes), secrets: scrubbed.secrets };
  return scrubbed.bytes;
}

async function commitFile(file: LoadedFile, plan: PlannedFile, deps: EditDeps, report: EditReport): Promise<void> {
  verifyLaunches(file, plan.text, [...plan.records.map((r) => ({ path: r.path, launch: r.inserted })), ...plan.wraps]);
  verifyMoved(editorFor(file.spec.format), plan.text, plan.moves);
  assertWritable(file.spec.path);
  if (deps.dryRun) return;
  assertUnchanged(file.spec.path, file.hash);
  // Keychain before the file: if the keychain refuses, the secret stays where it was.
  for (const m of plan.moves) await deps.moveSecret!(m.server, m.name, m.value);
  // The file is checked again under the lock, once the keychain answered: that can take
  // seconds (a permission prompt), and a client writing its config meanwhile must not be
  // overwritten with the text read before.
  await createConfigsLock(deps.dataDir)(`protect ${file.spec.path}`, async () => {
    // Under the lock: a run that waited for another's write finds the file changed here and
    // writes nothing, so it never rolls back bookkeeping that is not its own (configs-lock.ts).
    assertUnchanged(file.spec.path, file.hash);
    // State for a file with no wrapped entry left is stale (the user undid us by hand):
    // start over so the exact-bytes restore is available again.
    const previous = file.servers.some((s) => s.wrapped || routedTarget(s.url)) ? loadState(deps.dataDir, file.spec.path) : undefined;
    const state = mergeState(file, previous, plan, sha256(plan.text));
    // Our copies of the file lose the secrets moved out of it (scrub-copies.ts).
    const saved = previous?.originalHash && plan.moves.length > 0 ? loadSavedOriginal(deps.dataDir, previous) : undefined;
    const placed = placeholdersFor(plan.moves, saved ? [file.bytes, saved] : [file.bytes]);
    const original = originalToSave(file, previous, saved, state, plan.moves, placed);
    report.backups.push(writeBackup(deps.dataDir, file.spec.path, scrubBackup(file.bytes, file.spec.format, plan.moves, placed), (deps.now ?? (() => new Date()))()));
    // Before the write, which keeps the file's mode: a route key must not be readable by
    // other users for a moment either (a 0644 ~/.cursor/mcp.json, say).
    const narrowedFrom = plan.records.some((r) => r.kind === 'remote') ? narrowToOwner(file.spec.path) : undefined;
    if (narrowedFrom !== undefined && state.narrowedFrom === undefined) state.narrowedFrom = narrowedFrom;
    try {
      // Inside: bookkeeping that failed half way (a full disk) is put back as it was, like
      // bookkeeping whose config write failed, or the byte-exact restore could be lost.
      saveState(deps.dataDir, state, original);
      writeConfig(file.spec.path, plan.text, file.hash);
    } catch (err) {
      if (previous) saveState(deps.dataDir, previous, original && saved);
      else deleteState(deps.dataDir, file.spec.path);
      throw err;
    }
    // Earlier backups too, once the values are out of the file itself; still under the lock,
    // which another run holds while it writes and prunes backups of this file.
    scrubBackups(deps.dataDir, file.spec.path, placeholderText(placed));
  });
  // Only entries wrapped anew: a moved wrap line keeps the launch line it carried, and its approval.
  for (const { name, launch, result } of plan.approvals) {
    if ((await deps.registerServer?.(name, launch)) !== 'proposed') continue;
    // Routed, but another launch line is approved under this name: a person decides.
    result.detail = [result.detail, `another launch line is approved as '${name}'; this one runs once approved beside it: mcp-firewall registry approve ${argWord(name)}`].filter(Boolean).join('; ');
  }
  for (const p of plan.proposals) await deps.remote?.propose(p.name, p.pin, file.adapter.id);
}

/** Protects files already read; exported so callers (and tests) can hold a read across time. */
export async function protectFiles(files: LoadedFile[], deps: EditDeps, report: EditReport): Promise<void> {
  for (const file of files) {
    try {
      if (!deps.dryRun && file.servers.some((s) => s.wrapped || routedTarget(s.url))) await scrubEarlierCopies(deps.dataDir, file);
      const plan = planFile(file, deps);
      if (plan.records.length > 0 || plan.wraps.length > 0) await commitFile(file, plan, deps, report);
      report.entries.push(...plan.results);
    } catch (err) {
      report.errors.push({ client: file.adapter.id, file: file.spec.path, message: (err as Error).message });
      // The entries this run was about (all unwrapped ones, or only the stale routes and wrap lines); none changed.
      const stale = (s: DiscoveredServer) => staleRouteOf(s, deps.remote) !== undefined || goneWrapPaths(s).length > 0;
      const wouldTouch = (s: DiscoveredServer) => (deps.repointOnly ? stale(s) : !s.wrapped);
      for (const s of file.servers) {
        if (wouldTouch(s)) report.entries.push({ client: file.adapter.id, file: file.spec.path, scope: s.scope, name: s.name, outcome: 'refused' });
      }
    }
  }
}

export async function protectClients(deps: EditDeps, opts: EditOptions = {}): Promise<EditReport> {
  const d = { ...deps, dryRun: opts.dryRun ?? deps.dryRun };
  const { files, errors } = discover(d, opts.client);
  const report: EditReport = { entries: [], errors: [...errors], backups: [] };
  await protectFiles(files, d, report);
  return warnAboutRunningClients(report, d, files);
}

/**
 * Only moves the routes protect wrote to the engine's port, and its wrap lines whose
 * runtime or cli is gone to the engine's own, as the engine does when it starts; nothing
 * is protected anew. Unreadable files are scan's and protect's to report.
 */
export async function repointStaleRoutes(deps: EditDeps): Promise<EditReport> {
  const d: EditDeps = { ...deps, repointOnly: true };
  const report: EditReport = { entries: [], errors: [], backups: [] };
  const files = discover(d).files.filter((f) => f.servers.some((s) => staleRouteOf(s, d.remote) !== undefined || goneWrapPaths(s).length > 0));
  await protectFiles(files, d, report);
  return warnAboutRunningClients(report, d, files);
}
