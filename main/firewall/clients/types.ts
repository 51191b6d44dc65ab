// Shared shapes for the client-config adapters. Everything here is plain data so the
// engine, the CLI and the desktop app can all drive scan/protect/unprotect.
import type { RemoteAddress, RemoteStanding } from '../registry/remote-proposal.js';
import type { LaunchApproval } from '../registry/registry.js';

export type KeyPath = (string | number)[];
export type ConfigFormat = 'json' | 'yaml' | 'toml';
export type Transport = 'stdio' | 'http' | 'sse' | 'other';
export type ServerStatus = 'protected' | 'registered' | 'shadow';

/** Where config paths come from: injected so tests can point every client at a temp home. */
export interface ClientContext {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Project roots to look in for project-scoped files (.mcp.json, .cursor/mcp.json, …). */
  projectDirs: string[];
}

export interface ServerRegistry {
  isRegistered(name: string): boolean;
}

/** Everything the core needs; the lead passes process.execPath and the built cli path, the desktop app its own. */
export interface ClientsDeps extends ClientContext {
  dataDir: string;
  runtimePath: string;
  cliPath: string;
  registry: ServerRegistry;
  /** Other cli paths that count as "ours" (e.g. the desktop app's bundled cli next to the npm one). */
  knownCliPaths?: string[];
  /**
   * A local server `protect` routed, with its original launch line: routing it approves that
   * line. 'proposed': it waits for a person instead (another line is approved under the name).
   */
  registerServer?: (name: string, launch: Launch) => LaunchApproval | void | Promise<LaunchApproval | void>;
  /** Given, `protect` routes Streamable HTTP entries through the interposer; else they stay as they are. */
  remote?: RemoteRoutes;
  now?: () => Date;
  /**
   * Reads a secret from the OS keychain: unprotect puts those protect --move-secrets moved
   * back into the file it restores byte for byte (our copy of it holds placeholders).
   */
  readSecret?: (server: string, name: string) => Promise<string | null>;
}

/** What routing a remote entry through `http://127.0.0.1:PORT/mcp/NAME?key=KEY` needs from the engine. */
export interface RemoteRoutes {
  /** The engine's control port, which also serves `/mcp/NAME`. */
  port: number;
  /** This install's route key (route-key.ts): a route without it is refused. */
  key: string;
  /**
   * false: no engine announced itself (control.json), so `port` is only the one it will
   * probably take. Routes are then not moved to it: it may be another process's now.
   */
  running?: boolean;
  standing(name: string, address: RemoteAddress): RemoteStanding;
  /** Leaves the entry's original URL (and transport) as NAME's proposal for `registry approve NAME`. */
  propose(name: string, address: RemoteAddress, client: string): void | Promise<void>;
}

/** How the entries of one file spell their fields (Goose says cmd, opencode wants an argv array, …). */
export interface EntryShape {
  commandKey: 'command' | 'cmd';
  /** opencode keeps the whole argv in `command`. */
  commandIsArgv: boolean;
  envKeys: string[];
  urlKeys: string[];
  headerPaths: KeyPath[];
  /** What a url entry without a `type` means (Cline assumes SSE). */
  defaultRemote: 'http' | 'sse';
}

export interface Container {
  /** Key path of the map (or list, for Continue) that holds the servers. */
  path: KeyPath;
  kind: 'map' | 'list';
  scope: string;
  /** For per-project entries inside a user file (Claude Code `projects[...]`). */
  project?: string;
}

export interface ConfigFileSpec {
  path: string;
  scope: string;
  format: ConfigFormat;
  shape: EntryShape;
  /** Computed from the parsed document because some files (~/.claude.json) nest servers per project. */
  containers: (doc: unknown) => Container[];
}

export interface ClientAdapter {
  id: string;
  displayName: string;
  /** Candidate files; the core keeps the ones that exist. May glob (MSIX, VS Code profiles). */
  configFiles(ctx: ClientContext): ConfigFileSpec[];
  /**
   * Executable names of the client, for the "restart it" warning: a running client that
   * holds its config in memory may write the old entries back over our rewrite.
   */
  processNames?: string[];
}

export interface Launch {
  command: string;
  args: string[];
}

export interface SecretFinding {
  where: 'env' | 'header' | 'arg' | 'url';
  name: string;
  /** Masked: a few leading characters and the length, never the value. */
  masked: string;
  reason: string;
}

export interface DiscoveredServer {
  client: string;
  file: string;
  scope: string;
  project?: string;
  name: string;
  /** Key path of the entry inside the file. */
  path: KeyPath;
  transport: Transport;
  launch?: Launch;
  url?: string;
  /** True when the launch is our wrap shim. */
  wrapped: boolean;
  /** The original launch carried inside a wrap line. */
  wrappedLaunch?: Launch;
  /** The server name the shim is told (`wrap --server NAME`). */
  wrappedName?: string;
  /** Why the entry is left as is: a command-bearing entry with no launch (args holding a number, say), or keys from a YAML merge key. */
  problem?: string;
  raw: Record<string, unknown>;
}

export interface FileError {
  client: string;
  file: string;
  message: string;
}
