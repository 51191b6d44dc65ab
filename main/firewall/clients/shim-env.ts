import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { isRecord } from './entry-shape.js';
import type { ConfigFileSpec, DiscoveredServer } from './types.js';

// A client starts the process its config entry names with the entry's `env`, and for a
// protected entry that process is our shim. Some variables make a process run code of
// their choosing before its own: `NODE_OPTIONS=--require evil.js`, `LD_PRELOAD`. Such an
// entry still reads as a wrap line, yet whoever wrote its env runs inside the firewall and
// can let anything through, so it does not count as protected and is not wrapped.

/** Loaded by the dynamic linker or OpenSSL into any process, whatever the value. */
const LOADERS = new Set([
  'LD_PRELOAD', 'LD_AUDIT', 'LD_LIBRARY_PATH',
  'DYLD_INSERT_LIBRARIES', 'DYLD_LIBRARY_PATH', 'DYLD_FRAMEWORK_PATH', 'DYLD_FALLBACK_LIBRARY_PATH',
  'OPENSSL_CONF', 'OPENSSL_MODULES', 'OPENSSL_ENGINES',
]);

/** Node options that load code (or open a debugger that can run it) before the shim's own. */
const CODE_OPTION = /^(?:-r|--require|--import|--loader|--experimental-loader|--inspect|--debug|--openssl-config|--env-file)/;

/** The entry's env variables that would run code inside the shim, each as `NAME` or `NAME (option)`. */
export function envRunningCode(server: DiscoveredServer, spec: ConfigFileSpec): string[] {
  const sources: { vars: unknown; where?: string }[] = [
    ...spec.shape.envKeys.map((key) => ({ vars: server.raw[key] })),
    { vars: isRecord(server.raw.command) ? server.raw.command.env : undefined },
  ];
  const fromFile = envFileOf(server);
  if (fromFile) sources.push({ vars: fromFile.vars, where: ` in ${fromFile.path}` });
  const found: string[] = [];
  for (const { vars, where = '' } of sources) {
    if (!isRecord(vars)) continue;
    for (const [name, value] of Object.entries(vars)) {
      // Windows reads variable names case-insensitively.
      const upper = name.toUpperCase();
      if (LOADERS.has(upper)) found.push(`${name}${where}`);
      else if (upper === 'NODE_OPTIONS') {
        const options = String(value).split(/\s+/).filter((token) => CODE_OPTION.test(token.replace(/^["']/, '')));
        if (options.length > 0) found.push(`${name} (${options.join(' ')})${where}`);
      }
    }
  }
  return found;
}

/**
 * VS Code and Cursor read more env from `envFile` (a dotenv file). Resolved as VS Code does
 * for a workspace's own mcp.json: `${workspaceFolder}` and relative paths from the folder
 * holding `.vscode/`. A file that cannot be found or read adds nothing here. (It can change
 * later without the config changing; watch looks at config files only.)
 */
function envFileOf(server: DiscoveredServer): { path: string; vars: Record<string, string> } | undefined {
  const spec = server.raw.envFile;
  if (typeof spec !== 'string' || spec === '') return undefined;
  const configDir = dirname(server.file);
  const workspace = server.project ?? (basename(configDir).startsWith('.') ? dirname(configDir) : configDir);
  const path = spec.replaceAll('${workspaceFolder}', workspace);
  if (path.includes('${')) return undefined;
  const file = isAbsolute(path) ? path : resolve(workspace, path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match) vars[match[1]!] = match[2]!.replace(/^(["'])(.*)\1\s*$/, '$2');
  }
  return { path: file, vars };
}

/** Why such an entry is not protected, and what to do. */
export function envRunningCodeDetail(found: string[]): string {
  return `its env sets ${found.join(', ')}, which would run code inside the firewall's shim before it polices anything; remove it from the entry (or pass it on the server's own command line) and protect again`;
}
