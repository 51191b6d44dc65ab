import { parse, TomlError } from 'smol-toml';
import { ConfigParseError, detectEol, endOfLine, splice, sequentialEdits, UnsupportedEditError, type FormatEditor } from './editor.js';
import { indexToml, samePath, type TomlKeyValue, type TomlTable } from './toml-scan.js';

function tomlString(value: string): string {
  // JSON escapes are valid TOML basic-string escapes, except DEL which TOML wants escaped.
  return JSON.stringify(value).replace(/\x7f/g, '\\u007F');
}

function emit(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(emit).join(', ')}]`;
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new UnsupportedEditError(`cannot write a ${typeof value} into TOML`);
}

/**
 * `text` without a member of an inline table and the comma that ties it to the rest. Comments
 * stay with the members they follow: in a table spread over lines, each member's comment sits
 * after its comma.
 */
function withoutInlineMember(text: string, members: TomlKeyValue[], kv: TomlKeyValue, inline: { open: number; close: number }): string {
  const at = members.indexOf(kv);
  const next = members[at + 1];
  if (next) return splice(text, { start: kv.lineStart, end: next.lineStart }, '');
  const after = skipSpaces(text, kv.valueEnd);
  // Last, with a trailing comma (TOML 1.1): it goes with the member.
  if (text[after] === ',') return splice(text, { start: kv.lineStart, end: after + 1 }, '');
  const before = members[at - 1];
  if (!before) return splice(text, { start: inline.open + 1, end: inline.close }, '');
  // Last: the member goes, and the comma after the one before it (with the spaces between, on one line).
  const comma = text.indexOf(',', before.valueEnd);
  if (comma < 0 || comma >= kv.lineStart) return splice(text, { start: kv.lineStart, end: kv.valueEnd }, '');
  if (/^[ \t]*$/.test(text.slice(comma + 1, kv.lineStart))) return splice(text, { start: comma, end: kv.valueEnd }, '');
  return splice(splice(text, { start: kv.lineStart, end: kv.valueEnd }, ''), { start: comma, end: comma + 1 }, '');
}

function skipSpaces(text: string, i: number): number {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

function refusePartial(table: TomlTable | undefined, path: readonly unknown[]): void {
  if (table?.inline?.partial) throw new UnsupportedEditError(`cannot edit the inline table ${path.join('.')}: it holds something this editor does not read`);
}

export const tomlEditor: FormatEditor = {
  parse(text) {
    try {
      return parse(text);
    } catch (err) {
      if (err instanceof TomlError) {
        throw new ConfigParseError(`invalid TOML (${err.message.split('\n')[0]})`, err.line, err.column);
      }
      throw err;
    }
  },
  spanOf(text, path) {
    const kv = indexToml(text).values.find((v) => samePath(v.path, path));
    return kv && { start: kv.valueStart, end: kv.valueEnd };
  },
  set(text, path, value, after) {
    const index = indexToml(text);
    const kv = index.values.find((v) => samePath(v.path, path));
    if (kv) return splice(text, { start: kv.valueStart, end: kv.valueEnd }, emit(value));
    const tablePath = path.slice(0, -1);
    const table = index.tables.find((t) => samePath(t.path, tablePath));
    const key = path[path.length - 1];
    if (!table || typeof key !== 'string') {
      throw new UnsupportedEditError(`cannot add ${String(key)}: no [${tablePath.join('.')}] table`);
    }
    const inTable = index.values.filter((v) => samePath(v.table, tablePath));
    const anchor = inTable.find((v) => v.path[v.path.length - 1] === after) ?? inTable.at(-1);
    const bareKey = /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
    if (table.inline) {
      refusePartial(table, tablePath);
      // `{ a = 1 }` → `{ a = 1, key = v }`; `{}` → `{ key = v }`.
      if (anchor) return splice(text, { start: anchor.valueEnd, end: anchor.valueEnd }, `, ${bareKey} = ${emit(value)}`);
      return splice(text, { start: table.inline.open, end: table.inline.close + 1 }, `{ ${bareKey} = ${emit(value)} }`);
    }
    const at = anchor ? endOfLine(text, anchor.valueEnd) : table.headerEnd;
    const eol = detectEol(text);
    const line = `${bareKey} = ${emit(value)}${eol}`;
    return at === text.length && !text.endsWith('\n') ? `${text}${eol}${line}` : splice(text, { start: at, end: at }, line);
  },
  remove(text, path) {
    const index = indexToml(text);
    const kv = index.values.find((v) => samePath(v.path, path));
    if (!kv) return text;
    const table = index.tables.find((t) => samePath(t.path, kv.table));
    if (table?.inline) {
      refusePartial(table, kv.table);
      return withoutInlineMember(text, index.values.filter((v) => samePath(v.table, kv.table)), kv, table.inline);
    }
    return splice(text, { start: kv.lineStart, end: endOfLine(text, kv.valueEnd) }, '');
  },
  edits: (text) => sequentialEdits(tomlEditor, text),
};
