import { join } from 'node:path';
import { CLAUDE_SHAPE, mapAt, shape } from '../entry-shape.js';
import { VSCODE_HOSTS, vscodeUserDir } from '../platform-paths.js';
import type { ClientContext, ConfigFileSpec, ConfigFormat, Container, EntryShape } from '../types.js';

export interface FileOptions {
  key?: string;
  format?: ConfigFormat;
  shape?: Partial<EntryShape>;
  containers?: (doc: unknown) => Container[];
}

/** A file holding a `mcpServers`-style map (the Claude Desktop dialect most clients copied). */
export function serversFile(path: string, scope: string, opts: FileOptions = {}): ConfigFileSpec {
  return {
    path,
    scope,
    format: opts.format ?? 'json',
    shape: opts.shape ? shape(opts.shape) : CLAUDE_SHAPE,
    containers: opts.containers ?? mapAt(opts.key ?? 'mcpServers', scope),
  };
}

/** A VS Code extension's servers file, in the user data dir of every VS Code-family editor. */
export function inEditorStorage(ctx: ClientContext, extensionId: string, file: string, opts: FileOptions = {}): ConfigFileSpec[] {
  const rel = join('globalStorage', extensionId, 'settings', file);
  return VSCODE_HOSTS.map((host) => serversFile(join(vscodeUserDir(ctx, host), rel), `user (${host})`, opts));
}

/** The same relative file in every known project root. */
export function inProjects(ctx: ClientContext, rel: string, opts: FileOptions = {}): ConfigFileSpec[] {
  return ctx.projectDirs.map((dir) => serversFile(join(dir, rel), 'project', opts));
}
