import { readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ClientContext } from './types.js';

// Layout (which directories a client uses) follows ctx.platform; separators follow the
// host, so a test on Linux can lay out a fake Windows or macOS home with real files.

export function homeDir(ctx: ClientContext): string {
  const { env } = ctx;
  if (ctx.platform === 'win32') return env.USERPROFILE || env.HOME || homedir();
  return env.HOME || env.USERPROFILE || homedir();
}

/** %APPDATA% on Windows, ~/Library/Application Support on macOS, $XDG_CONFIG_HOME on Linux. */
export function appDataDir(ctx: ClientContext): string {
  const home = homeDir(ctx);
  if (ctx.platform === 'win32') return ctx.env.APPDATA || join(home, 'AppData', 'Roaming');
  if (ctx.platform === 'darwin') return join(home, 'Library', 'Application Support');
  return xdgConfigDir(ctx);
}

export function localAppDataDir(ctx: ClientContext): string {
  return ctx.env.LOCALAPPDATA || join(homeDir(ctx), 'AppData', 'Local');
}

/** ~/.config even on macOS: Zed, Goose and opencode use it there too. */
export function xdgConfigDir(ctx: ClientContext): string {
  return ctx.env.XDG_CONFIG_HOME || join(homeDir(ctx), '.config');
}

/** VS Code-family hosts whose globalStorage may hold Cline / Roo settings. */
export const VSCODE_HOSTS = ['Code', 'Code - Insiders', 'VSCodium', 'Cursor', 'Windsurf'];

export function vscodeUserDir(ctx: ClientContext, product: string): string {
  return join(appDataDir(ctx), product, 'User');
}

/** Sub-directories of dir whose names pass the filter; missing dir → none. */
export function listDirs(dir: string, filter: (name: string) => boolean = () => true): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && filter(d.name))
      .map((d) => join(dir, d.name))
      .sort();
  } catch {
    return [];
  }
}

export function listFiles(dir: string, filter: (name: string) => boolean): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isFile() && filter(d.name))
      .map((d) => join(dir, d.name))
      .sort();
  } catch {
    return [];
  }
}
