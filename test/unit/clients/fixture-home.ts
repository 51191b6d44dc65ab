import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { ClientsDeps } from '../../../main/firewall/clients/index.js';
import { launchFingerprint } from '../../../main/firewall/clients/wrap-line.js';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/client-configs');
export const RUNTIME = '/opt/runtime/bin/node';
export const CLI = '/opt/mcp-firewall/dist/cli.js';

export interface FixtureHome {
  root: string;
  home: string;
  project: string;
  dataDir: string;
  deps: ClientsDeps & { registered: { name: string; fingerprint: string }[] };
  files(): Map<string, Buffer>;
  cleanup(): void;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** A temp home + project holding a copy of every client's real-format config. */
export function createFixtureHome(registeredNames: string[] = []): FixtureHome {
  const root = mkdtempSync(join(tmpdir(), 'mcpfw-clients-'));
  cpSync(FIXTURES, root, { recursive: true });
  const home = join(root, 'home');
  const project = join(root, 'project');
  const dataDir = join(root, 'data');
  const registered: { name: string; fingerprint: string }[] = [];
  return {
    root,
    home,
    project,
    dataDir,
    deps: {
      env: { HOME: home },
      platform: 'linux',
      projectDirs: [project],
      dataDir,
      runtimePath: RUNTIME,
      cliPath: CLI,
      registry: { isRegistered: (n) => registeredNames.includes(n) },
      registerServer: (name, launch) => {
        registered.push({ name, fingerprint: launchFingerprint(launch) });
      },
      registered,
    },
    files() {
      const out = new Map<string, Buffer>();
      for (const base of [home, project]) for (const f of walk(base)) out.set(relative(root, f), readFileSync(f));
      return out;
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** Makes `text` the only Cursor config of `fx` (the fixture project's own .cursor/mcp.json goes); its path. */
export function onlyCursorFile(fx: FixtureHome, text: string): string {
  rmSync(join(fx.project, '.cursor'), { recursive: true, force: true });
  const path = join(fx.home, '.cursor/mcp.json');
  writeFileSync(path, text);
  return path;
}
