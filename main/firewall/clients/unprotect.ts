import { chmodSync, statSync } from 'node:fs';
import { deleteState, loadSavedOriginal, loadState, type EntryRecord, type FileState } from './bookkeeping.js';
import { writeBackup } from './backups.js';
import { discover, type LoadedFile } from './discover.js';
import { assertUnchanged, assertWritable, sha256 } from './file-io.js';
import { writeConfig } from './write-config.js';
import { createConfigsLock } from './configs-lock.js';
import { editorFor, type EntryEdits } from './formats/index.js';
import { samePath, verifyLaunches, warnAboutRunningClients, type EditDeps, type EditOptions, type EditReport, type EntryResult } from './protect.js';
import { launchOps, readEntries } from './read-entries.js';
import { entryIdentity } from './remote-route.js';
import { routedTarget } from './route-url.js';
import { isOurCliWrap } from './scan.js';
import { fillSecrets } from './scrub-copies.js';
import type { DiscoveredServer, KeyPath, Launch } from './types.js';
import { argWord } from '../shell-word.js';

// Put back exactly the value text we replaced (quoting, layout, comments inside it);
// keys we added are removed. Nothing else in the file is touched.
function revertRecord(entry: EntryEdits, rec: EntryRecord): void {
  for (const op of [...rec.ops].reverse()) {
    if (op.originalText === null) entry.remove(op.path);
    else entry.replace(op.path, op.originalText);
  }
}

/**
 * The record of what we did to this entry: at its path, or — for an item of a list
 * (Continue's YAML) that moved when one before it was removed — the record of that name and
 * what we inserted, its edits moved to where the entry is now.
 */
function recordFor(server: DiscoveredServer, identity: string, records: EntryRecord[], used: Set<EntryRecord>): EntryRecord | undefined {
  const fits = (r: EntryRecord) => JSON.stringify(r.inserted) === identity;
  const atPath = records.find((r) => samePath(r.path, server.path));
  const moved = atPath && fits(atPath) ? undefined : records.find((r) => !used.has(r) && r.name === server.name && fits(r) && r.path.length === server.path.length);
  if (!moved) {
    if (atPath) used.add(atPath);
    return atPath;
  }
  used.add(moved);
  const depth = moved.path.length;
  return { ...moved, path: server.path, ops: moved.ops.map((op) => ({ ...op, path: [...server.path, ...op.path.slice(depth)] })) };
}

interface Plan {
  text: string;
  expected: { path: KeyPath; launch: Launch }[];
  results: EntryResult[];
}

function planSpanRestore(file: LoadedFile, records: EntryRecord[], deps: EditDeps, fromWrapLine = 'restored from the wrap line'): Plan {
  const edits = editorFor(file.spec.format).edits(file.text);
  const expected: Plan['expected'] = [];
  const results: EntryResult[] = [];
  const outcome = deps.dryRun ? 'would-restore' : 'restored';
  const used = new Set<EntryRecord>();
  for (const server of file.servers) {
    const base = { client: file.adapter.id, file: file.spec.path, scope: server.scope, name: server.name };
    const identity = JSON.stringify(entryIdentity(server));
    const rec = recordFor(server, identity, records, used);
    if (rec && JSON.stringify(rec.inserted) === identity) {
      edits.entry(server.path, (entry) => revertRecord(entry, rec));
      expected.push({ path: server.path, launch: rec.original });
      // Only a whole-file restore brings moved secrets back; unwrapped, the server no longer gets them.
      const moved = rec.movedSecrets?.length ? `its ${rec.movedSecrets.join(', ')} stayed in the OS keychain, from where the firewall gave them to the server; put them back in its env (mcp-firewall secrets list ${argWord(rec.name)}) or protect it again` : undefined;
      results.push({ ...base, outcome, ...(moved ? { detail: moved } : {}) });
    } else if (isOurCliWrap(server, deps) && server.wrappedLaunch) {
      // No record (data dir lost) or the client re-serialised the entry: the wrap line itself
      // carries the original launch after `--`.
      const launch = server.wrappedLaunch;
      edits.entry(server.path, (entry) => {
        for (const op of launchOps(server, file.spec, launch)) entry.set(op.path, op.value, op.after);
      });
      expected.push({ path: server.path, launch: server.wrappedLaunch });
      results.push({ ...base, outcome, detail: fromWrapLine });
    } else if (rec) {
      results.push({ ...base, outcome: 'left-modified', detail: 'entry changed since we protected it; left as is' });
    } else if (routedTarget(server.url)) {
      // A route carries nothing of the URL it stands for; only the data dir kept that.
      results.push({ ...base, outcome: 'unsupported', detail: `routed through the firewall, but the URL it stood for is not in the data dir (${deps.dataDir}); point it back at the server's own URL by hand` });
    }
  }
  return { text: edits.text(), expected, results };
}

/**
 * Our saved value texts put back where they were; when the client re-serialised the file
 * (Goose rewrites its YAML with other indentation or flow style), that text may no longer
 * fit where it goes, and the wrap lines themselves restore the launches instead (their
 * layout is the file's, not the user's; what they launch is the same).
 */
function spanRestoreOrWrapLines(file: LoadedFile, records: EntryRecord[], deps: EditDeps): Plan {
  let fitted: unknown;
  try {
    const plan = planSpanRestore(file, records, deps);
    verifyLaunches(file, plan.text, plan.expected);
    return plan;
  } catch (error) {
    if (records.length === 0) throw error;
    fitted = error;
  }
  // A routed URL is one scalar, which any layout takes back; only wrap lines carry their own original.
  const fallback = planSpanRestore(file, records.filter((r) => r.kind === 'remote'), deps, "restored from the wrap line (the saved text no longer fits the file's layout)");
  try {
    verifyLaunches(file, fallback.text, fallback.expected);
  } catch {
    throw fitted; // neither way: the first reason is the one to read
  }
  return fallback;
}

function hasOurs(file: LoadedFile, deps: EditDeps): DiscoveredServer | undefined {
  return file.servers.find((s) => isOurCliWrap(s, deps) || routedTarget(s.url));
}

/**
 * The file as it was before protect, the moved secrets put back from the keychain (which
 * throws when it cannot give them: nothing is written). Undefined when there is no whole
 * saved original, or the keychain holds another value now (set anew since): the saved
 * original is then no longer the file to give back, and entries are restored one by one.
 */
async function originalBytes(state: FileState, deps: EditDeps): Promise<Buffer | undefined> {
  const saved = loadSavedOriginal(deps.dataDir, state);
  if (!saved) return undefined;
  const filled = await fillSecrets(saved, state.scrubbed?.secrets ?? [], deps.readSecret);
  return sha256(filled) === state.originalHash ? filled : undefined;
}

async function unprotectFile(file: LoadedFile, deps: EditDeps, report: EditReport): Promise<void> {
  const state = loadState(deps.dataDir, file.spec.path);
  if (!state && !hasOurs(file, deps)) return;
  const original = state && state.protectedHash === file.hash ? await originalBytes(state, deps) : undefined;
  let bytes: Buffer | string;
  let results: EntryResult[];
  if (original) {
    // The file is exactly as we left it: the saved bytes are the exact pre-protect file.
    bytes = original;
    const fromKeychain = (state?.scrubbed?.secrets.length ?? 0) > 0;
    results = (state?.entries ?? []).map((e) => ({
      client: file.adapter.id,
      file: file.spec.path,
      scope: file.servers.find((s) => samePath(s.path, e.path))?.scope ?? file.spec.scope,
      name: e.name,
      outcome: deps.dryRun ? 'would-restore' : 'restored',
      detail: fromKeychain && e.movedSecrets?.length ? `original bytes, its ${e.movedSecrets.join(', ')} back from the OS keychain` : 'original bytes',
    }));
  } else {
    const plan = spanRestoreOrWrapLines(file, state?.entries ?? [], deps);
    bytes = plan.text;
    results = plan.results;
    if (plan.expected.length === 0) {
      // Nothing of ours left to undo: the bookkeeping goes, unless a protect wrote it meanwhile.
      if (!deps.dryRun) {
        await underConfigsLock(file, deps, () => {
          // Routes taken out by hand: the mode protect narrowed for them goes back all the same.
          if (state?.narrowedFrom !== undefined) widenBack(file, file.servers, state.narrowedFrom);
          deleteState(deps.dataDir, file.spec.path);
        });
      }
      report.entries.push(...results);
      return;
    }
  }
  assertWritable(file.spec.path);
  if (!deps.dryRun) {
    await underConfigsLock(file, deps, () => {
      report.backups.push(writeBackup(deps.dataDir, file.spec.path, file.bytes, (deps.now ?? (() => new Date()))()));
      writeConfig(file.spec.path, bytes, file.hash);
      if (state?.narrowedFrom !== undefined) widenBack(file, serversIn(file, bytes), state.narrowedFrom);
      deleteState(deps.dataDir, file.spec.path);
    });
  }
  report.entries.push(...results);
}

/**
 * The mode protect narrowed the file from, once no route (and so no route key) is left in
 * it, and only while it is still the 0600 protect left: a mode the user chose since stays.
 */
function widenBack(file: LoadedFile, servers: DiscoveredServer[], mode: number): void {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) return; // a damaged record widens nothing
  if (servers.some((s) => routedTarget(s.url))) return;
  if ((statSync(file.spec.path).mode & 0o777) === 0o600) chmodSync(file.spec.path, mode);
}

/** The servers of the file `written` (file's own format), as discover reads them. */
function serversIn(file: LoadedFile, written: Buffer | string): DiscoveredServer[] {
  const text = typeof written === 'string' ? written : written.toString('utf8');
  return readEntries(file.adapter.id, file.spec, editorFor(file.spec.format).parse(text));
}

/** `write` once the file is still as read, holding the lock protect writes under (configs-lock.ts). */
function underConfigsLock(file: LoadedFile, deps: EditDeps, write: () => void): Promise<void> {
  return createConfigsLock(deps.dataDir)(`unprotect ${file.spec.path}`, async () => {
    assertUnchanged(file.spec.path, file.hash);
    write();
  });
}

export async function unprotectClients(deps: EditDeps, opts: EditOptions = {}): Promise<EditReport> {
  const d = { ...deps, dryRun: opts.dryRun ?? deps.dryRun };
  const { files, errors } = discover(d, opts.client);
  const report: EditReport = { entries: [], errors: [...errors], backups: [] };
  for (const file of files) {
    try {
      await unprotectFile(file, d, report);
    } catch (err) {
      report.errors.push({ client: file.adapter.id, file: file.spec.path, message: (err as Error).message });
    }
  }
  return warnAboutRunningClients(report, d, files);
}
