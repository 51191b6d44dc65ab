// The engine's port to wherever secrets live (DESIGN.md §1): the OS keychain in
// production, a Map in unit tests. Values cross this interface and nothing else:
// the index, the audit and every printout carry names only.

/** What a secret is for; one keychain entry per server, purpose and name. */
export type SecretPurpose = 'env';

export interface SecretRef {
  server: string;
  name: string;
  purpose?: SecretPurpose;
}

export interface SecretStore {
  set(ref: SecretRef, value: string): Promise<void>;
  /** null when there is no such entry. */
  get(ref: SecretRef): Promise<string | null>;
  /** false when there was nothing to delete. */
  delete(ref: SecretRef): Promise<boolean>;
  /** Every entry this store holds for us, names only. */
  list(): Promise<SecretRef[]>;
}

/** The keychain could not be reached (no D-Bus session, locked, no native module). */
export class KeychainUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the OS keychain is not reachable (${cause instanceof Error ? cause.message : String(cause)})`);
    this.name = 'KeychainUnavailableError';
  }
}

// One service for the whole app; the account carries server and purpose so one
// server's credentials can be listed, rotated and removed without touching another's.
export const KEYCHAIN_SERVICE = 'mcp-firewall';

// Environment variable names: a name a POSIX shell could export. Anything else could
// smuggle '=' or NUL into the spawned server's environment block.
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isValidSecretName(name: string): boolean {
  return ENV_NAME.test(name) && name.length <= 200;
}

// Names a keychain entry must never set: each changes what code the spawned server runs
// (loader preloads, interpreter start-up hooks, the search path its command resolves in),
// so whoever can write the keychain would run code in every launch, past the pinned
// launch line. `__proto__` cannot be an own key of the env object at all.
const INJECTION_NAMES = new Set([
  'PATH', 'NODE_OPTIONS', 'NODE_PATH', 'PYTHONPATH', 'PYTHONSTARTUP', 'PYTHONHOME', 'PYTHONINSPECT',
  'PERL5OPT', 'PERL5LIB', 'PERLLIB', 'RUBYOPT', 'RUBYLIB', 'BASH_ENV', 'ENV', 'SHELLOPTS', 'IFS',
  'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH', 'DENO_DIR', 'GIT_SSH_COMMAND',
  'ELECTRON_RUN_AS_NODE', 'PYTHONWARNINGS', 'BROWSER', '__proto__',
]);

// Whole families do the same: the loaders', and git's config in the environment
// (GIT_CONFIG_KEY_0=core.sshCommand is GIT_SSH_COMMAND again). The package launchers' own
// settings (npm_config_registry, PIP_INDEX_URL, UV_INDEX_URL) would also change what `npx`
// or `uvx` fetch, but a private index's URL with its token is a secret people keep here, and
// a server already stored with one would be refused at its next start: left to the user.
const INJECTION_PREFIXES = ['LD_', 'DYLD_', 'GIT_CONFIG_'];

/** A valid name that would let a stored value hijack the server process rather than configure it. */
export function isReservedSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  return INJECTION_NAMES.has(name) || INJECTION_NAMES.has(upper) || INJECTION_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

/**
 * The firewall's own entries in the keychain (the quarantine key) live under this "server":
 * no server's secrets may be set, removed, listed or revoked there — `contain mcp-firewall`
 * deleted the key, and every result held under it became unreadable.
 */
export const FIREWALL_OWN_ENTRIES = 'mcp-firewall';

export function isValidServerName(server: string): boolean {
  return server.length > 0 && server.length <= 200 && !/[\u0000-\u001f\u007f]/.test(server);
}

export function accountFor(ref: SecretRef): string {
  return `${ref.server}/${ref.purpose ?? 'env'}/${ref.name}`;
}

/** Server names may hold '/', secret names never do: split on the last purpose marker. */
export function parseAccount(account: string): SecretRef | null {
  const at = account.lastIndexOf('/env/');
  if (at <= 0) return null;
  const server = account.slice(0, at);
  const name = account.slice(at + '/env/'.length);
  return isValidSecretName(name) ? { server, name, purpose: 'env' } : null;
}
