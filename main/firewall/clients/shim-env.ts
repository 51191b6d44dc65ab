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
  const maps = [...spec.shape.envKeys.map((key) => server.raw[key]), isRecord(server.raw.command) ? server.raw.command.env : undefined];
  const found: string[] = [];
  for (const map of maps) {
    if (!isRecord(map)) continue;
    for (const [name, value] of Object.entries(map)) {
      // Windows reads variable names case-insensitively.
      const upper = name.toUpperCase();
      if (LOADERS.has(upper)) found.push(name);
      else if (upper === 'NODE_OPTIONS') {
        const options = String(value).split(/\s+/).filter((token) => CODE_OPTION.test(token.replace(/^["']/, '')));
        if (options.length > 0) found.push(`${name} (${options.join(' ')})`);
      }
    }
  }
  return found;
}

/** Why such an entry is not protected, and what to do. */
export function envRunningCodeDetail(found: string[]): string {
  return `its env sets ${found.join(', ')}, which would run code inside the firewall's shim before it polices anything; remove it from the entry (or pass it on the server's own command line) and protect again`;
}
