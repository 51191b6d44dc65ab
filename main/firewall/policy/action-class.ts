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
  /** When annotations raised the class: what the name (or the default) made it. */
  beforeAnnotations?: ActionClass;
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
  'ls', 'cat', 'grep', 'peek', 'validate', 'summarize', 'analyze', 'directory', 'allowed',
]);
// `open` reads a file or a page (`open_nodes`), but opens an issue or a pull request too.
const OPEN_READS = new Set([
  'file', 'files', 'node', 'nodes', 'document', 'documents', 'page', 'pages', 'url', 'resource', 'resources',
  'note', 'notes', 'entity', 'entities', 'record', 'records', 'image', 'images',
]);
// A name carrying any of these is never a read, whatever other word it has (`read_and_update`,
// `mark_all_read`, `list_and_cancel`).
const WRITE_VERBS = new Set([
  'write', 'create', 'update', 'set', 'add', 'edit', 'move', 'rename', 'insert', 'put', 'post', 'patch',
  'send', 'upload', 'push', 'exec', 'execute', 'run', 'commit', 'merge', 'deploy', 'publish', 'save',
  'modify', 'append', 'replace', 'install', 'invoke', 'trigger', 'toggle', 'start', 'stop', 'apply',
  'approve', 'assign', 'close', 'comment', 'fork', 'import', 'mkdir', 'copy', 'upsert', 'store', 'submit',
  'enable', 'disable', 'grant', 'schedule', 'transfer', 'pay', 'mutate', 'change', 'gzip', 'compress',
  'mark', 'cancel', 'sync', 'clear', 'overwrite', 'archive', 'unarchive', 'restore', 'rollback', 'revert',
  'reply', 'invite', 'notify', 'unlock', 'unpin', 'unstar', 'follow', 'unfollow', 'subscribe', 'unsubscribe',
  'register', 'login', 'logout', 'authorize', 'resolve', 'reopen', 'retry', 'restart', 'emit', 'broadcast',
  'dispatch', 'enqueue', 'reserve', 'migrate', 'upgrade', 'downgrade', 'rotate', 'renew', 'mute', 'unmute',
  'unblock', 'ban', 'kick', 'hide', 'unhide', 'react', 'accept', 'reject', 'decline', 'dismiss', 'snooze',
  'attach', 'detach', 'connect', 'disconnect', 'mount', 'unmount', 'provision', 'reboot', 'pause', 'resume',
  'suspend', 'spawn', 'launch', 'compile', 'generate', 'load', 'open', 'increment', 'decrement', 'reorder', 'fill',
]);
// Words that are things as often as actions (`get_order`, `list_tags`, `get_build_log`): a
// write only where a verb stands — leading a name part (`tag_issue`), or ending one no read
// verb leads (`issue_tag`).
const WRITE_WHEN_VERB = new Set([
  'share', 'lock', 'pin', 'star', 'like', 'book', 'order', 'sign', 'label', 'tag', 'release', 'link',
  'block', 'build', 'scale', 'vote', 'sort', 'transition',
]);
/** Words that join two actions in one name: each must be a read for the name to be one. */
const CONJUNCTIONS = new Set(['and', 'then', 'or', 'plus']);

// A camel-case word starts at a capital after a small letter or digit (`getUser`), and
// where an acronym meets a capitalised word (`getURLAndFrob` is get, url, and, frob: it
// was read as get, urland, frob, a read). A lone plural s stays with its acronym (`URLs`).
// One pass: this runs for every call.
const WORD_START = /([a-z0-9])(?=[A-Z])|([A-Z])(?=[A-Z](?!s(?![a-z]))[a-z])/g;

export function nameWords(name: string): string[] {
  return name
    .replace(WORD_START, '$1$2 ')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** `open` before a thing one reads (`open_nodes`) is a read, as `read_file` is; elsewhere a write. */
const opensToRead = (words: string[], i: number) => words[i] === 'open' && OPEN_READS.has(words[i + 1] ?? '');

/** A clause of a name is a read when a read verb leads it (`get_user`) or ends it (`issues_list`). */
function isReadClause(words: string[]): boolean {
  const [first] = words;
  if (first === 'open') return opensToRead(words, 0);
  return (first !== undefined && READ_VERBS.has(first)) || (words.length > 1 && READ_VERBS.has(words[words.length - 1]!));
}

/** The name's actions: its words split where `and`, `then`… join two (`fetch_and_overwrite`). */
function clausesOf(words: string[]): string[][] {
  const clauses: string[][] = [[]];
  for (const word of words) {
    if (CONJUNCTIONS.has(word)) clauses.push([]);
    else clauses[clauses.length - 1]!.push(word);
  }
  return clauses.filter((clause) => clause.length > 0);
}

function writesIn(clause: string[]): boolean {
  const last = clause.length - 1;
  return clause.some((w, i) => {
    if (opensToRead(clause, i)) return false;
    if (WRITE_VERBS.has(w)) return true;
    return WRITE_WHEN_VERB.has(w) && (i === 0 || (i === last && !READ_VERBS.has(clause[0]!)));
  });
}

// The characters of names whose words we can read. Others are dropped by the splitter, so
// a name made of them could hide a word: `get_user&frob` joins two actions with a symbol, and
// in `get_user_аnd_frob` (a Cyrillic а) the splitter saw `nd`, no conjunction at all.
const PLAIN_NAME = /^[A-Za-z0-9_.\-/: ]+$/;

function classFromName(name: string): ActionClass | null {
  const words = nameWords(name);
  if (words.some((w) => DESTRUCTIVE_VERBS.has(w))) return 'destructive';
  const clauses = clausesOf(words);
  if (clauses.some(writesIn)) return 'write';
  // Unknown → write: a read verb somewhere in a name does not make it a read; each of its
  // actions must be one (`fetch_and_frob` is not), and each word must be one we could read.
  if (clauses.length > 0 && clauses.every(isReadClause) && PLAIN_NAME.test(name)) return 'read';
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
    result = { actionClass: 'destructive', source: 'annotations', beforeAnnotations: result.actionClass };
  } else if (annotations?.readOnlyHint === false && result.actionClass === 'read') {
    result = { actionClass: stricter('write', result.actionClass), source: 'annotations', beforeAnnotations: result.actionClass };
  }
  return result;
}
