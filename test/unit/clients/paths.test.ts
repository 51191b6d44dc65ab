import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findAdapter, scanClients } from '../../../main/firewall/clients/index.js';
import type { ClientContext } from '../../../main/firewall/clients/types.js';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function put(path: string, servers: Record<string, unknown>, key = 'mcpServers'): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ [key]: servers }));
}

const paths = (id: string, ctx: ClientContext) => findAdapter(id)!.configFiles(ctx).map((f) => f.path);

describe('config paths per platform', () => {
  it('finds the Windows MSIX Claude Desktop config next to the %APPDATA% one', () => {
    root = mkdtempSync(join(tmpdir(), 'mcpfw-win-'));
    const env = { USERPROFILE: join(root, 'u'), APPDATA: join(root, 'u/AppData/Roaming'), LOCALAPPDATA: join(root, 'u/AppData/Local') };
    const msix = join(env.LOCALAPPDATA, 'Packages', 'Claude_pzs8sxrjxfjjc', 'LocalCache', 'Roaming', 'Claude', 'claude_desktop_config.json');
    put(msix, { fs: { command: 'npx', args: ['x'] } });
    put(join(env.APPDATA, 'Claude', 'claude_desktop_config.json'), { old: { command: 'npx' } });
    const rows = scanClients({
      env, platform: 'win32', projectDirs: [], dataDir: join(root, 'd'), runtimePath: '/n', cliPath: '/c', registry: { isRegistered: () => false },
    }, { client: 'claude-desktop' }).servers;
    expect(rows.map((r) => [r.name, r.file])).toEqual([['old', join(env.APPDATA, 'Claude', 'claude_desktop_config.json')], ['fs', msix]]);
  });

  it('uses %APPDATA% on Windows, Application Support on macOS and XDG on Linux', () => {
    root = mkdtempSync(join(tmpdir(), 'mcpfw-paths-'));
    const h = join(root, 'h');
    const win: ClientContext = { env: { USERPROFILE: h, APPDATA: join(h, 'Roaming') }, platform: 'win32', projectDirs: [] };
    const mac: ClientContext = { env: { HOME: h }, platform: 'darwin', projectDirs: [] };
    const linux: ClientContext = { env: { HOME: h, XDG_CONFIG_HOME: join(h, 'xdg') }, platform: 'linux', projectDirs: [] };
    expect(paths('goose', win)).toEqual([join(h, 'Roaming', 'Block', 'goose', 'config', 'config.yaml')]);
    expect(paths('goose', linux)).toEqual([join(h, 'xdg', 'goose', 'config.yaml')]);
    expect(paths('zed', win)).toEqual([join(h, 'Roaming', 'Zed', 'settings.json')]);
    expect(paths('zed', mac)).toEqual([join(h, '.config', 'zed', 'settings.json')]);
    expect(paths('vscode', mac)).toContain(join(h, 'Library', 'Application Support', 'Code', 'User', 'mcp.json'));
    expect(paths('claude-desktop', mac)).toEqual([join(h, 'Library', 'Application Support', 'Claude', 'claude_desktop_config.json')]);
    expect(paths('claude-desktop', linux)).toEqual([join(h, 'xdg', 'Claude', 'claude_desktop_config.json')]);
    expect(paths('cursor', win)).toEqual([join(h, '.cursor', 'mcp.json')]);
    expect(paths('lm-studio', mac)).toContain(join(h, '.cache', 'lm-studio', 'mcp.json'));
  });

  it('honours CODEX_HOME, CLAUDE_CONFIG_DIR and GEMINI_CLI_HOME relocations', () => {
    root = mkdtempSync(join(tmpdir(), 'mcpfw-reloc-'));
    const ctx: ClientContext = {
      env: { HOME: root, CODEX_HOME: join(root, 'cx'), CLAUDE_CONFIG_DIR: join(root, 'cc'), GEMINI_CLI_HOME: join(root, 'gm') },
      platform: 'linux',
      projectDirs: [],
    };
    expect(paths('codex-cli', ctx)).toEqual([join(root, 'cx', 'config.toml')]);
    expect(paths('claude-code', ctx)).toEqual([join(root, 'cc', '.claude.json')]);
    expect(paths('gemini-cli', ctx)).toEqual([join(root, 'gm', '.gemini', 'settings.json')]);
  });
});
