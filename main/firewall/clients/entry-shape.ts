import type { Container, EntryShape, KeyPath } from './types.js';

// Most clients copied Claude Desktop's `mcpServers{command,args,env}`; the differences
// are spelled out per shape rather than special-cased in the core.

export const CLAUDE_SHAPE: EntryShape = {
  commandKey: 'command',
  commandIsArgv: false,
  envKeys: ['env'],
  urlKeys: ['url', 'serverUrl', 'httpUrl'],
  headerPaths: [['headers']],
  defaultRemote: 'http',
};

export function shape(overrides: Partial<EntryShape>): EntryShape {
  return { ...CLAUDE_SHAPE, ...overrides };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function getIn(doc: unknown, path: KeyPath): unknown {
  let cur: unknown = doc;
  for (const key of path) {
    if (typeof key === 'number') cur = Array.isArray(cur) ? cur[key] : undefined;
    else cur = isRecord(cur) ? cur[key] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** A single top-level servers map (`mcpServers`, `servers`, `context_servers`, `mcp`, …). */
export function mapAt(key: string, scope: string): (doc: unknown) => Container[] {
  return () => [{ path: [key], kind: 'map', scope }];
}

/** opencode's `.agents/mcp.json` is a bare map with no wrapper key. */
export function rootMap(scope: string): (doc: unknown) => Container[] {
  return () => [{ path: [], kind: 'map', scope }];
}
