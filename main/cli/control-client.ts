import { readFileSync } from 'node:fs';
import { dataPaths, resolveDataDir } from '../firewall/paths.js';

export interface ControlInfo {
  port: number;
  socket: string;
  pid: number;
}

export class EngineNotRunning extends Error {
  constructor(dataDir: string) {
    super(`MCP Firewall is not running for ${dataDir}. Start it with: mcp-firewall serve`);
  }
}

/** What the engine announced; null when it announced nothing usable (no engine, or a damaged control.json). */
export function readControlInfo(env: NodeJS.ProcessEnv): { info: ControlInfo; token: string } | null {
  const paths = dataPaths(resolveDataDir(env));
  try {
    const info = JSON.parse(readFileSync(paths.controlFile, 'utf8')) as Partial<ControlInfo> | null;
    // `{}`, `null` or a port of "abc" would otherwise become http://127.0.0.1:undefined/….
    if (!isControlInfo(info)) return null;
    const token = readFileSync(paths.tokenFile, 'utf8').trim();
    return { info, token };
  } catch {
    return null;
  }
}

function isControlInfo(info: Partial<ControlInfo> | null): info is ControlInfo {
  return typeof info === 'object' && info !== null && Number.isInteger(info.port) && info.port! > 0 && info.port! <= 65535;
}

/** Calls the running engine's control API; throws EngineNotRunning when there is none. */
export async function callEngine(env: NodeJS.ProcessEnv, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const control = readControlInfo(env);
  if (!control) throw new EngineNotRunning(resolveDataDir(env));
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${control.info.port}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${control.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    // Only "nobody listens" means not running; anything else must not send callers down
    // the offline path (which writes the store directly and skips live effects).
    const code = ((error as { cause?: { code?: string } }).cause ?? {}).code;
    if (code === 'ECONNREFUSED' || code === 'ENOENT') throw new EngineNotRunning(resolveDataDir(env));
    throw new Error(`cannot reach the MCP Firewall engine on port ${control.info.port}: ${(error as Error).message}`);
  }
  const payload = (await response.json()) as { error?: string };
  if (!response.ok) throw new Error(payload.error ?? `HTTP ${response.status}`);
  return payload;
}

/**
 * Asks a running engine to fold its audit spool into the table now, so a query sees the
 * calls that just happened. Without an engine there is nothing to fold: it is a no-op.
 */
export async function flushAuditSpool(env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await callEngine(env, 'POST', '/audit/flush');
  } catch {
    // not running (or unreachable): the table is as current as it can be
  }
}
