// A small TOML statement scanner: where each key/value sits in the source text. smol-toml
// parses but gives no offsets, and Codex rejects unknown keys, so edits must be surgical
// splices of exactly the value we change.

export interface TomlKeyValue {
  /** Full key path: the enclosing [table] keys followed by the (dotted) key. */
  path: string[];
  table: string[];
  lineStart: number;
  valueStart: number;
  valueEnd: number;
}

export interface TomlTable {
  path: string[];
  headerEnd: number;
  /**
   * An inline table (`x = { a = 1 }`): where its `{` and `}` sit; `partial` when the scan met
   * something it does not read and stopped, so its members are not all known.
   */
  inline?: { open: number; close: number; partial?: boolean };
}

export interface TomlIndex {
  tables: TomlTable[];
  values: TomlKeyValue[];
}

function skipSpaces(text: string, i: number): number {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

function skipString(text: string, i: number): number {
  const q = text[i];
  const triple = text.startsWith(q!.repeat(3), i);
  if (triple) {
    const close = text.indexOf(q!.repeat(3), i + 3);
    if (close < 0) return text.length;
    let end = close + 3;
    while (text[end] === q) end++; // """a"""" ends with the quotes inside the value
    return end;
  }
  i++;
  while (i < text.length && text[i] !== q && text[i] !== '\n') {
    if (q === '"' && text[i] === '\\') i++;
    i++;
  }
  return i + 1;
}

const BARE_VALUE_ENDS = new Set(['\n', '\r', '#', ',', ']', '}']);

/** End (exclusive) of the value starting at i. */
export function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"' || c === "'") return skipString(text, i);
  if (c === '[' || c === '{') {
    let depth = 0;
    while (i < text.length) {
      const ch = text[i];
      if (ch === '"' || ch === "'") {
        i = skipString(text, i);
        continue;
      }
      if (ch === '#') {
        i = endOfComment(text, i);
        continue;
      }
      if (ch === '[' || ch === '{') depth++;
      if (ch === ']' || ch === '}') depth--;
      i++;
      if (depth === 0) return i;
    }
    return i;
  }
  // A bare value (number, boolean, date) holds none of `,]}`: there it ends inside an inline table.
  while (i < text.length && !BARE_VALUE_ENDS.has(text[i]!)) i++;
  while (text[i - 1] === ' ' || text[i - 1] === '\t') i--;
  return i;
}

/** Parses `a."b c".d` up to stop; returns the keys and where it stopped. */
function readKeys(text: string, i: number, stop: string): { keys: string[]; end: number } {
  const keys: string[] = [];
  while (i < text.length && text[i] !== stop && text[i] !== '\n') {
    i = skipSpaces(text, i);
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = skipString(text, i);
      const raw = text.slice(i, end);
      keys.push(c === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1));
      i = end;
    } else {
      const start = i;
      while (i < text.length && /[A-Za-z0-9_-]/.test(text[i] ?? '')) i++;
      if (i === start) break;
      keys.push(text.slice(start, i));
    }
    i = skipSpaces(text, i);
    if (text[i] === '.') i++;
  }
  return { keys, end: i };
}

export function indexToml(text: string): TomlIndex {
  const tables: TomlTable[] = [];
  const values: TomlKeyValue[] = [];
  let table: string[] = [];
  let i = 0;
  while (i < text.length) {
    const lineStart = i;
    i = skipSpaces(text, i);
    const c = text[i];
    if (c === '[') {
      const isArray = text[i + 1] === '[';
      const { keys, end } = readKeys(text, i + (isArray ? 2 : 1), ']');
      table = isArray ? [...keys, '[]'] : keys;
      const headerEnd = text.indexOf('\n', end);
      tables.push({ path: table, headerEnd: headerEnd < 0 ? text.length : headerEnd + 1 });
      i = headerEnd < 0 ? text.length : headerEnd + 1;
      continue;
    }
    if (c !== undefined && c !== '#' && c !== '\n' && c !== '\r') {
      const { keys, end } = readKeys(text, i, '=');
      if (text[end] === '=' && keys.length > 0) {
        const valueStart = skipSpaces(text, end + 1);
        const valueEnd = skipValue(text, valueStart);
        values.push({ path: [...table, ...keys], table, lineStart, valueStart, valueEnd });
        if (text[valueStart] === '{') indexInlineTable(text, [...table, ...keys], valueStart, valueEnd, tables, values);
        i = valueEnd;
      }
    }
    const nl = text.indexOf('\n', i);
    i = nl < 0 ? text.length : nl + 1;
  }
  return { tables, values };
}

/**
 * The members of an inline table (`docs = { command = "npx", env = { K = "v" } }`, as some
 * Codex users write their servers), each with its own span, so they are edited as surgically
 * as a table's keys. A member's `lineStart` is where its key begins.
 */
function indexInlineTable(text: string, path: string[], open: number, end: number, tables: TomlTable[], values: TomlKeyValue[]): void {
  const close = end - 1;
  const inline: { open: number; close: number; partial?: boolean } = { open, close };
  tables.push({ path, headerEnd: open + 1, inline });
  let i = open + 1;
  while (i < close) {
    i = skipBlank(text, i, close);
    if (i >= close) break;
    const { keys, end: keysEnd } = readKeys(text, i, '=');
    if (text[keysEnd] !== '=' || keys.length === 0) {
      inline.partial = true; // what this scanner does not read: the table is not edited
      return;
    }
    const valueStart = skipBlank(text, keysEnd + 1, close);
    const valueEnd = skipValue(text, valueStart);
    values.push({ path: [...path, ...keys], table: path, lineStart: i, valueStart, valueEnd });
    if (text[valueStart] === '{') indexInlineTable(text, [...path, ...keys], valueStart, valueEnd, tables, values);
    i = skipBlank(text, valueEnd, close);
    if (text[i] === ',') i++;
  }
}

/** Past spaces, line breaks and comments (TOML 1.1 lets an inline table span lines). */
function skipBlank(text: string, i: number, limit: number): number {
  while (i < limit) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') i = Math.min(endOfComment(text, i), limit);
    else break;
  }
  return i;
}

function endOfComment(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 ? text.length : nl;
}

export function samePath(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((k, idx) => k === b[idx]);
}
