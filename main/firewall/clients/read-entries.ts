import { getIn, isRecord } from './entry-shape.js';
import type { ConfigFileSpec, DiscoveredServer, KeyPath, Launch, Transport } from './types.js';
import { decodeWrapLaunch } from './wrap-line.js';

const HTTP_TYPES = new Set(['http', 'streamable-http', 'streamableHttp', 'streamable_http', 'remote']);

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]) : undefined;
}

/** The launch of an entry, whatever the client calls its fields. */
export function readLaunch(raw: Record<string, unknown>, spec: ConfigFileSpec): Launch | undefined {
  const value = raw[spec.shape.commandKey];
  if (spec.shape.commandIsArgv) {
    const argv = strings(value);
    return argv && argv.length > 0 ? { command: argv[0]!, args: argv.slice(1) } : undefined;
  }
  if (typeof value === 'string') return withArgs(value, raw.args);
  // Older Zed settings: "command": {"path": "npx", "args": [...], "env": {...}}.
  if (isRecord(value) && typeof value.path === 'string') return withArgs(value.path, value.args);
  return undefined;
}

// Args that are not all strings (a number, null, one string) are no launch we can carry:
// dropping them would wrap a different command than the client runs.
function withArgs(command: string, args: unknown): Launch | undefined {
  if (args === undefined) return { command, args: [] };
  const list = strings(args);
  return list ? { command, args: list } : undefined;
}

/** Why an entry that names a command still has no launch we can wrap. */
function launchProblem(raw: Record<string, unknown>, spec: ConfigFileSpec): string | undefined {
  const value = raw[spec.shape.commandKey];
  if (value === undefined) return undefined;
  if (spec.shape.commandIsArgv) return `${spec.shape.commandKey} is not a non-empty list of strings`;
  const args = isRecord(value) ? value.args : raw.args;
  return args !== undefined && !strings(args) ? 'args is not a list of strings' : `${spec.shape.commandKey} is not a string`;
}

function readUrl(raw: Record<string, unknown>, spec: ConfigFileSpec): string | undefined {
  for (const key of spec.shape.urlKeys) {
    const v = raw[key];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

function transportOf(raw: Record<string, unknown>, spec: ConfigFileSpec, launch?: Launch, url?: string): Transport {
  const type = typeof raw.type === 'string' ? raw.type : typeof raw.transportType === 'string' ? raw.transportType : '';
  if (url !== undefined) {
    if (type === 'sse') return 'sse';
    if (HTTP_TYPES.has(type) || raw.httpUrl !== undefined) return 'http';
    return spec.shape.defaultRemote;
  }
  if (launch && (type === '' || type === 'stdio' || type === 'local')) return 'stdio';
  return 'other';
}

// A YAML merge key (`<<: *base`) takes an entry's keys from another node, but YAML 1.2 dropped
// merge keys and readers differ: the yaml package (which Continue reads its config with)
// folds them in only when asked to, serde_yaml (Goose) only when told to. So what the client
// launches from such an entry is not known for sure, and a wrap line written into the entry
// would shadow what the merge brings (args, env) or give a command to an entry the client
// reads as having none. Such an entry is left as is, with the change to make.
const MERGE_KEY_PROBLEM =
  'its keys come from a YAML merge key (<<), which not every client reads: wrapping it could change what the client runs; write the keys out in the entry in place of <<, then run again';

function entryOf(client: string, spec: ConfigFileSpec, name: string, path: KeyPath, raw: Record<string, unknown>, scope: string, project?: string): DiscoveredServer {
  const launch = readLaunch(raw, spec);
  const url = readUrl(raw, spec);
  const transport = transportOf(raw, spec, launch, url);
  const decoded = launch && transport === 'stdio' ? decodeWrapLaunch(launch) : undefined;
  const merged = spec.format === 'yaml' && Object.hasOwn(raw, '<<');
  const problem = merged ? MERGE_KEY_PROBLEM : launch || url !== undefined ? undefined : launchProblem(raw, spec);
  return {
    client,
    file: spec.path,
    scope,
    ...(project !== undefined ? { project } : {}),
    name,
    path,
    transport,
    ...(launch ? { launch } : {}),
    ...(url !== undefined ? { url } : {}),
    wrapped: decoded !== undefined,
    ...(decoded ? { wrappedLaunch: decoded.original, wrappedName: decoded.server } : {}),
    ...(problem ? { problem } : {}),
    raw,
  };
}

export function readEntries(client: string, spec: ConfigFileSpec, doc: unknown): DiscoveredServer[] {
  const found: DiscoveredServer[] = [];
  for (const container of spec.containers(doc)) {
    const holder = container.path.length === 0 ? doc : getIn(doc, container.path);
    if (container.kind === 'list') {
      if (!Array.isArray(holder)) continue;
      holder.forEach((item, i) => {
        if (isRecord(item)) {
          const name = typeof item.name === 'string' ? item.name : `#${i}`;
          found.push(entryOf(client, spec, name, [...container.path, i], item, container.scope, container.project));
        }
      });
    } else if (isRecord(holder)) {
      for (const [name, raw] of Object.entries(holder)) {
        if (isRecord(raw)) found.push(entryOf(client, spec, name, [...container.path, name], raw, container.scope, container.project));
      }
    }
  }
  return found;
}

export interface LaunchOp {
  path: KeyPath;
  value: unknown;
  after?: string;
}

/** The key-level edits that make an entry launch `launch`, in the entry's own dialect. */
export function launchOps(server: DiscoveredServer, spec: ConfigFileSpec, launch: Launch): LaunchOp[] {
  const p = server.path;
  if (spec.shape.commandIsArgv) return [{ path: [...p, 'command'], value: [launch.command, ...launch.args] }];
  if (isRecord(server.raw[spec.shape.commandKey])) {
    return [
      { path: [...p, 'command', 'path'], value: launch.command },
      { path: [...p, 'command', 'args'], value: launch.args, after: 'path' },
    ];
  }
  const key = spec.shape.commandKey;
  return [
    { path: [...p, key], value: launch.command },
    { path: [...p, 'args'], value: launch.args, after: key },
  ];
}
