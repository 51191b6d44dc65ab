import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { claudeJsonPath } from './adapters/claude-code.js';
import { fileKey } from './bookkeeping.js';
import { isRecord } from './entry-shape.js';
import { readIfExists, sha256 } from './file-io.js';
import { ConfigParseError, editorFor } from './formats/index.js';
import { readEntries } from './read-entries.js';
import { CLIENT_ADAPTERS } from './registry.js';
import type { ClientAdapter, ClientContext, ConfigFileSpec, DiscoveredServer, FileError } from './types.js';

export interface LoadedFile {
  adapter: ClientAdapter;
  spec: ConfigFileSpec;
  bytes: Buffer;
  text: string;
  hash: string;
  servers: DiscoveredServer[];
  /** The clients that read this file (its adapter's first): more than one when it is linked into several. */
  readers: string[];
}

export interface Discovery {
  files: LoadedFile[];
  errors: FileError[];
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Project roots: the ones we were given plus every project Claude Code has opened, since
 * `.mcp.json`, `.cursor/mcp.json` and friends there launch servers just the same.
 */
export function expandProjectDirs(ctx: ClientContext): ClientContext {
  const dirs = new Set(ctx.projectDirs.map((d) => resolve(d)));
  try {
    const bytes = readIfExists(claudeJsonPath(ctx));
    const doc = bytes && editorFor('json').parse(bytes.toString('utf8'));
    const projects = isRecord(doc) ? doc.projects : undefined;
    if (isRecord(projects)) for (const p of Object.keys(projects)) if (isDir(p)) dirs.add(resolve(p));
  } catch {
    // An unreadable or corrupt ~/.claude.json is reported by the Claude Code adapter
    // itself; thrown from here, it stopped every other client's scan too.
  }
  return { ...ctx, projectDirs: [...dirs] };
}

function describe(err: unknown): string {
  if (err instanceof ConfigParseError) return `${err.message}; file left untouched`;
  return err instanceof Error ? err.message : String(err);
}

/** Reads every existing config file of the selected clients. A bad file is an error row, never a crash. */
export function discover(ctx: ClientContext, clientId?: string): Discovery {
  const full = expandProjectDirs(ctx);
  // Every client's files, even when one client is asked for: whether another client reads
  // the same file decides what a wrap line may say (protect.ts).
  const places = CLIENT_ADAPTERS.flatMap((adapter) => adapter.configFiles(full).map((spec) => ({ adapter, spec, key: fileKey(spec.path) })));
  const readers = new Map<string, string[]>();
  for (const { adapter, key } of places) {
    const ids = readers.get(key) ?? [];
    if (!ids.includes(adapter.id)) readers.set(key, [...ids, adapter.id]);
  }
  const seen = new Set<string>();
  const files: LoadedFile[] = [];
  const errors: FileError[] = [];
  for (const { adapter, spec, key } of places) {
    if (clientId !== undefined && adapter.id !== clientId) continue;
    // Users link one servers file into several clients (Cursor's and Windsurf's are one
    // format): read twice, the copy edited second would be stale once the first was written.
    if (seen.has(key)) continue;
    let bytes: Buffer | undefined;
    try {
      bytes = readIfExists(spec.path);
    } catch (err) {
      errors.push({ client: adapter.id, file: spec.path, message: describe(err) });
      continue;
    }
    if (!bytes) {
      // A directory where the client expects its file: readIfExists skips it, but a silent
      // skip would look like "no servers here" when the client has no config it can read.
      if (isDir(spec.path)) {
        seen.add(key);
        errors.push({ client: adapter.id, file: spec.path, message: 'a directory, not a file; left untouched' });
      }
      continue;
    }
    seen.add(key);
    const text = bytes.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(bytes)) {
      errors.push({ client: adapter.id, file: spec.path, message: 'not valid UTF-8; file left untouched' });
      continue;
    }
    try {
      const doc = editorFor(spec.format).parse(text);
      const others = (readers.get(key) ?? []).filter((id) => id !== adapter.id);
      files.push({ adapter, spec, bytes, text, hash: sha256(bytes), servers: readEntries(adapter.id, spec, doc), readers: [adapter.id, ...others] });
    } catch (err) {
      errors.push({ client: adapter.id, file: spec.path, message: describe(err) });
    }
  }
  return { files, errors };
}
