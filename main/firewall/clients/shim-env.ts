import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { isRecord } from './entry-shape.js';
import type { ConfigFileSpec, DiscoveredServer } from './types.js';

// A client starts the process its config entry names with the entry's `env`, and for a
// protected entry that process is our shim. Some variables make a process run code of
// their choosing before its own: `NODE_OPTIONS=--require evil.js`, `LD_PRELOAD`. Such an
// entry still reads as a wrap line, yet whoever wrote its env runs inside the firewall and
// can let anything through, so it does not count as protected and is not wrapped.

/** Loaded by the dynamic linker, OpenSSL or V8 into any process, whatever the value. */
const LOADERS = new Set([
  'LD_PRELOAD', 'LD_AUDIT', 'LD_LIBRARY_PATH',
  'DYLD_INSERT_LIBRARIES', 'DYLD_LIBRARY_PATH', 'DYLD_FRAMEWORK_PATH', 'DYLD_FALLBACK_LIBRARY_PATH',
  'OPENSSL_CONF', 'OPENSSL_MODULES', 'OPENSSL_ENGINES',
  'NODE_COMPILE_CACHE',
]);

/** Node options that load code (or open a debugger that can run it) before the shim's own. */
const CODE_OPTION = /^(?:-r|--require|--import|--loader|--experimental-loader|--inspect|--debug-port|--debug-brk|--openssl-config|--env-file)/;

/**
 * The NODE_OPTIONS tokens that load code. Read as loosely as Node reads them: it drops a `"`
 * anywhere in a token (`--re""quire`) and takes `_` for `-` in option names.
 */
function codeOptions(value: string): string[] {
  return value
    .replace(/["'`\\]/g, '')
    .split(/\s+/)
    .filter((token) => CODE_OPTION.test(token.split('=')[0]!.replaceAll('_', '-')));
}

/** Client variable syntax (`${VAR}`, `${env:X}`, `{file:…}`, `$VAR`): what the process gets is not what the file says. */
const INTERPOLATED = /\$|\{(?:env|file):/;

/** The entry's env variables that would run code inside the shim, each as `NAME` or `NAME (option)`. */
export function envRunningCode(server: DiscoveredServer, spec: ConfigFileSpec): string[] {
  const sources: { vars: unknown; where?: string }[] = [
    ...spec.shape.envKeys.map((key) => ({ vars: server.raw[key] })),
    { vars: isRecord(server.raw.command) ? server.raw.command.env : undefined },
  ];
  const found: string[] = [];
  const envFile = envFileOf(server);
  if (envFile?.vars) sources.push({ vars: envFile.vars, where: ` in ${envFile.path}` });
  // Fail closed: a file the shim's env may come from that cannot be read here might hold anything.
  else if (envFile) found.push(`envFile ${envFile.path} (cannot be read to check)`);
  for (const { vars, where = '' } of sources) {
    if (!isRecord(vars)) continue;
    for (const [name, value] of Object.entries(vars)) {
      // Windows reads variable names case-insensitively.
      const upper = name.toUpperCase();
      if (LOADERS.has(upper)) found.push(`${name}${where}`);
      else if (upper === 'NODE_OPTIONS') {
        const text = String(value);
        const options = codeOptions(text);
        if (options.length > 0) found.push(`${name} (${options.join(' ')})${where}`);
        else if (INTERPOLATED.test(text)) found.push(`${name} (set from a variable)${where}`);
      }
    }
  }
  // Goose's env_keys (keyring) and Codex's env_vars (the client's own environment) name
  // variables whose values are not in the file at all.
  for (const key of ['env_keys', 'env_vars']) {
    const names = server.raw[key];
    if (!Array.isArray(names)) continue;
    for (const name of names) {
      const upper = String(name).toUpperCase();
      if (LOADERS.has(upper) || upper === 'NODE_OPTIONS') found.push(`${String(name)} (from ${key})`);
    }
  }
  return found;
}

/**
 * The file an entry's `envFile` names, resolved as VS Code does for a workspace's own
 * mcp.json: `${workspaceFolder}` and relative paths from the folder holding `.vscode/`.
 * `resolved` is false when it cannot be (another variable, not a string).
 */
function envFilePath(server: DiscoveredServer): { path: string; resolved: boolean } | undefined {
  const spec = server.raw.envFile;
  if (spec === undefined) return undefined;
  if (typeof spec !== 'string' || spec === '') return { path: JSON.stringify(spec), resolved: false };
  const configDir = dirname(server.file);
  const workspace = server.project ?? (basename(configDir).startsWith('.') ? dirname(configDir) : configDir);
  const path = spec.replaceAll('${workspaceFolder}', workspace);
  if (path.includes('${')) return { path: spec, resolved: false };
  return { path: isAbsolute(path) ? path : resolve(workspace, path), resolved: true };
}

/**
 * The envFile an entry's process reads its env from, when there is one to look at: it can
 * change without the config changing, so watch looks at it as at the config files.
 */
export function envFileToWatch(server: DiscoveredServer): string | undefined {
  const file = envFilePath(server);
  return file?.resolved ? file.path : undefined;
}

/**
 * VS Code and Cursor read more env from `envFile` (a dotenv file). `vars` is missing when
 * the path cannot be resolved or the file read.
 */
function envFileOf(server: DiscoveredServer): { path: string; vars?: Record<string, string> } | undefined {
  const where = envFilePath(server);
  if (!where?.resolved) return where && { path: where.path };
  const file = where.path;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    // No file gives the process nothing (watch looks again once one is made).
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { path: file, vars: {} } : { path: file };
  }
  // VS Code's parser: `KEY=value` or `KEY: value`, `export` allowed, quotes of three kinds.
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([\w.-]+)\s*[=:]\s*(.*)$/.exec(line);
    if (match) vars[match[1]!] = match[2]!.replace(/^(["'`])(.*)\1\s*$/, '$2');
  }
  return { path: file, vars };
}

/** Why such an entry is not protected, and what to do. */
export function envRunningCodeDetail(found: string[]): string {
  return `its env sets ${found.join(', ')}, which would run code inside the firewall's shim before it polices anything; remove it from the entry (a server that needs it can get it on its own command line, e.g. \`env NAME=value server …\`) and protect again`;
}
