import { explicitActionClass, type CompiledPolicy } from './evaluate.js';
import { ACTION_RANK, type ActionClass } from './types.js';

export interface ToolDescription {
  name: string;
  inputSchema?: unknown;
  annotations?: { readOnlyHint?: unknown; destructiveHint?: unknown; openWorldHint?: unknown };
}

export interface ActionClassResult {
  actionClass: ActionClass;
  source: 'policy' | 'annotations' | 'name' | 'default';
}

// Verbs are matched as whole words of the tool name (snake, kebab, camel and dotted
// names are split), so `get_user` is a read but `forget_user` is not.
const DESTRUCTIVE_VERBS = new Set([
  'delete', 'remove', 'rm', 'drop', 'destroy', 'purge', 'truncate', 'wipe', 'erase', 'kill',
  'terminate', 'revoke', 'reset', 'uninstall', 'unlink', 'rmdir', 'format', 'shutdown',
]);
const READ_VERBS = new Set([
  'get', 'list', 'read', 'search', 'find', 'query', 'fetch', 'describe', 'show', 'view', 'lookup',
  'inspect', 'count', 'stat', 'stats', 'check', 'status', 'browse', 'download', 'retrieve',
  'echo', 'print', 'info', 'explain', 'preview', 'diff', 'compare', 'tree', 'head', 'tail', 'sum',
  'ls', 'cat', 'grep', 'open', 'load', 'peek', 'validate', 'summarize', 'analyze', 'directory', 'allowed',
]);
// A name carrying any of these is never a read, whatever other word it has (`read_and_update`).
const WRITE_VERBS = new Set([
  'write', 'create', 'update', 'set', 'add', 'edit', 'move', 'rename', 'insert', 'put', 'post', 'patch',
  'send', 'upload', 'push', 'exec', 'execute', 'run', 'commit', 'merge', 'deploy', 'publish', 'save',
  'modify', 'append', 'replace', 'install', 'invoke', 'trigger', 'toggle', 'start', 'stop', 'apply',
  'approve', 'assign', 'close', 'comment', 'fork', 'import', 'mkdir', 'copy', 'upsert', 'store', 'submit',
  'enable', 'disable', 'grant', 'schedule', 'transfer', 'pay', 'mutate', 'change', 'gzip', 'compress',
]);

export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

function classFromName(name: string): ActionClass | null {
  const words = nameWords(name);
  if (words.some((w) => DESTRUCTIVE_VERBS.has(w))) return 'destructive';
  if (words.some((w) => WRITE_VERBS.has(w))) return 'write';
  if (words.some((w) => READ_VERBS.has(w))) return 'read';
  return null;
}

function stricter(a: ActionClass, b: ActionClass): ActionClass {
  return ACTION_RANK[a] >= ACTION_RANK[b] ? a : b;
}

/**
 * Policy first; then the tool's name; annotations are untrusted hints from the server,
 * so they may only raise the class (a `readOnlyHint` never turns a write into a read —
 * a rug-pulled server would simply claim it). Unknown → write.
 */
export function classifyAction(
  policy: CompiledPolicy,
  server: string,
  toolName: string,
  tool: ToolDescription | undefined,
): ActionClassResult {
  const explicit = explicitActionClass(policy, server, toolName);
  if (explicit) return { actionClass: explicit, source: 'policy' };
  const fromName = classFromName(toolName);
  let result: ActionClassResult = fromName ? { actionClass: fromName, source: 'name' } : { actionClass: 'write', source: 'default' };
  const annotations = tool?.annotations;
  if (annotations?.destructiveHint === true && result.actionClass !== 'destructive') {
    result = { actionClass: 'destructive', source: 'annotations' };
  } else if (annotations?.readOnlyHint === false && result.actionClass === 'read') {
    result = { actionClass: stricter('write', result.actionClass), source: 'annotations' };
  }
  return result;
}
