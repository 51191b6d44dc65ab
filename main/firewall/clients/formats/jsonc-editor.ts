import {
  applyEdits,
  findNodeAtLocation,
  format,
  modify,
  parseTree,
  printParseErrorCode,
  type EditResult,
  type FormattingOptions,
  type Node as JsonNode,
  type ParseError,
} from 'jsonc-parser';
import type { KeyPath } from '../types.js';
import {
  assertUnder,
  ConfigParseError,
  detectEol,
  lineCol,
  sequentialEdits,
  splice,
  UnsupportedEditError,
  type EntryEdits,
  type FileEdits,
  type FormatEditor,
  type Span,
} from './editor.js';

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true };

// jsonc-parser rejects a UTF-8 BOM (Windows editors add one); a same-length space keeps offsets valid.
function unBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
}

/**
 * The layout inserted text gets, from the file's first indented line; `decidedBy`: the
 * offset past that line's indent, before which an edit could change the answer.
 */
function layoutOf(text: string): { options: FormattingOptions; decidedBy: number } {
  const indented = /^([ \t]+)\S/m.exec(text);
  const indent = indented?.[1] ?? '  ';
  const insertSpaces = !indent.startsWith('\t');
  return {
    options: { insertSpaces, tabSize: insertSpaces ? indent.length : 1, eol: detectEol(text) },
    decidedBy: indented ? indented.index + indented[0].length : Infinity,
  };
}

/**
 * Applies modify()'s raw edits, then lays out only the text they inserted. modify() with
 * formatting options re-formats every whole line an insertion or removal touches, which
 * on a one-line file is the whole file: other entries and settings would change shape.
 * format() breaks lines as the text's first line break does, whatever options.eol says:
 * for a few lines cut out of a file, `firstBreak` is the file's, put in front of them.
 */
function applyLaidOut(text: string, edits: EditResult, options = layoutOf(text).options, firstBreak = ''): string {
  const out = applyEdits(text, edits);
  const inserted = edits.length === 1 ? edits[0]! : undefined;
  if (!inserted || inserted.content.length === 0) return out;
  const doc = firstBreak + out;
  const layout = format(unBom(doc), { offset: firstBreak.length + inserted.offset, length: inserted.content.length }, options);
  return applyEdits(doc, layout).slice(firstBreak.length);
}

// The tree of the text last looked at: a read, then an edit looks up a span and checks the
// path, in the same text; on a large ~/.claude.json (MBs of project history) each parse is ~20 ms.
let lastTree: { text: string; root: JsonNode | undefined; errors: ParseError[] } | null = null;
function parsedOf(text: string): { root: JsonNode | undefined; errors: ParseError[] } {
  if (lastTree?.text !== text) {
    const errors: ParseError[] = [];
    lastTree = { text, root: parseTree(unBom(text), errors, PARSE_OPTIONS), errors };
  }
  return lastTree;
}
const treeOf = (text: string): JsonNode | undefined => parsedOf(text).root;

/**
 * A tree's value with every key an own property. jsonc-parser's parse() assigns obj[key],
 * which for "__proto__" sets the object's prototype instead: the key vanished from
 * Object.entries, so scan and protect never saw a server named __proto__ that a client
 * (JSON.parse keeps it as an own key) runs all the same.
 */
function plainValue(node: JsonNode): unknown {
  if (node.type === 'array') return (node.children ?? []).map(plainValue);
  if (node.type !== 'object') return node.value;
  const out: Record<string, unknown> = {};
  for (const [key, value] of (node.children ?? []).map((p) => p.children ?? [])) {
    if (key && value) Object.defineProperty(out, String(key.value), { value: plainValue(value), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * A key written twice on the way to path: clients (JSON.parse) take the last one, the
 * editor would change the first, so the edit could never be what the client runs.
 */
function assertUniquePath(text: string, path: KeyPath): void {
  assertUniqueFrom(treeOf(text), path);
}

/** false: the walk stopped before path's end (a list index, a value that is no object), checking no further. */
function assertUniqueFrom(root: JsonNode | undefined, path: KeyPath): boolean {
  let node = root;
  for (const key of path) {
    if (node?.type !== 'object' || typeof key !== 'string') return false;
    const props = (node.children ?? []).filter((p) => p.children?.[0]?.value === key);
    if (props.length > 1) throw new UnsupportedEditError(`duplicate key ${JSON.stringify(key)}; left as is`);
    node = props[0]?.children?.[1];
  }
  return true;
}

/** A new key right after its sibling `after` when there is one, else last. */
function insertAfter(after: string | undefined): ((props: string[]) => number) | undefined {
  return after ? (props) => (props.includes(after) ? props.indexOf(after) + 1 : props.length) : undefined;
}

export const jsoncEditor: FormatEditor = {
  parse(text) {
    const { root, errors } = parsedOf(text);
    const first = errors[0];
    if (first) {
      const { line, column } = lineCol(text, first.offset);
      throw new ConfigParseError(`invalid JSON (${printParseErrorCode(first.error)})`, line, column);
    }
    return root && plainValue(root);
  },
  spanOf(text, path: KeyPath): Span | undefined {
    const root = treeOf(text);
    const node = root && findNodeAtLocation(root, path);
    return node ? { start: node.offset, end: node.offset + node.length } : undefined;
  },
  set(text, path, value, after) {
    assertUniquePath(text, path);
    return applyLaidOut(text, modify(unBom(text), path, value, { getInsertionIndex: insertAfter(after) }));
  },
  remove(text, path) {
    return applyLaidOut(text, modify(unBom(text), path, undefined, {}));
  },
  edits: (text) => windowedEdits(text),
};

const isBreak = (c: number) => c === 10 || c === 13;

/**
 * An entry's whole lines, edited apart from the rest of the file. Everything an edit of
 * the entry reads lies in them: modify() the entry's own object, format() the lines the
 * inserted text is on.
 */
interface Window {
  entry: KeyPath;
  /** The lines in the file as read: from the start of the entry's first line to the break ending its last. */
  start: number;
  end: number;
  /** How many characters of the lines come before the entry's value, and after it (never edited). */
  head: number;
  tail: number;
  text: string;
}

/**
 * protect on Claude Code's ~/.claude.json (MBs of project history, rewritten by Claude Code
 * all the time): set() and remove() on the whole text parse all of it for every edit, 21 s
 * for 60 entries in 11 MB, and the longer protect takes the likelier Claude Code writes
 * meanwhile and protect must refuse. Here the file is parsed once, each entry's edits are
 * made on its own lines, and the lines go back in at the end: the same text, since no edit
 * reads beyond them, so long as the file's indentation is decided above every entry (else
 * an edit could change it for the next one, as it does on a one-line file) and no two
 * entries share a line. A file where that fails is edited on the whole text from there on.
 */
function windowedEdits(original: string): FileEdits {
  const root = treeOf(original);
  const layout = layoutOf(original);
  const firstBreak = /\r\n?|\n/.exec(original)?.[0] ?? '';
  const windows: Window[] = [];
  let whole: FileEdits | undefined;

  const joined = () => {
    const parts: string[] = [];
    let at = 0;
    for (const w of [...windows].sort((a, b) => a.start - b.start)) {
      parts.push(original.slice(at, w.start), w.text);
      at = w.end;
    }
    parts.push(original.slice(at));
    return parts.join('');
  };

  const windowOf = (entry: KeyPath): Window | undefined => {
    const known = windows.find((w) => JSON.stringify(w.entry) === JSON.stringify(entry));
    if (known) return known;
    const node = root && entry.length > 0 ? findNodeAtLocation(root, entry) : undefined;
    if (node?.type !== 'object') return undefined;
    let start = node.offset;
    while (start > 0 && !isBreak(original.charCodeAt(start - 1))) start--;
    let end = node.offset + node.length;
    while (end < original.length && !isBreak(original.charCodeAt(end))) end++;
    // A window from the file's start could hold its first line break, which format() copies for every break it writes.
    if (start === 0 || start < layout.decidedBy) return undefined;
    if (windows.some((w) => start <= w.end && w.start <= end)) return undefined;
    return { entry, start, end, head: node.offset - start, tail: end - node.offset - node.length, text: original.slice(start, end) };
  };

  const entryEdits = (w: Window): EntryEdits => {
    const value = () => w.text.slice(w.head, w.text.length - w.tail);
    const inner = (path: KeyPath) => {
      assertUnder(w.entry, path);
      return path.slice(w.entry.length);
    };
    const nodeAt = (path: KeyPath) => {
      const tree = treeOf(value());
      return tree && findNodeAtLocation(tree, inner(path));
    };
    const apply = (edits: EditResult) => {
      w.text = applyLaidOut(w.text, edits.map((e) => ({ ...e, offset: e.offset + w.head })), layout.options, firstBreak);
    };
    return {
      textAt(path) {
        const node = nodeAt(path);
        return node ? value().slice(node.offset, node.offset + node.length) : null;
      },
      set(path, v, after) {
        const rest = inner(path);
        // Keys above the entry are as read: only our entries' insides change.
        if (assertUniqueFrom(root, w.entry)) assertUniqueFrom(treeOf(value()), rest);
        apply(modify(value(), rest, v, { getInsertionIndex: insertAfter(after) }));
      },
      remove(path) {
        apply(modify(value(), inner(path), undefined, {}));
      },
      replace(path, text) {
        const node = nodeAt(path);
        if (node) w.text = splice(w.text, { start: w.head + node.offset, end: w.head + node.offset + node.length }, text);
      },
    };
  };

  return {
    entry(entry, fn) {
      const w = whole ? undefined : windowOf(entry);
      if (!w) {
        whole ??= sequentialEdits(jsoncEditor, joined());
        return whole.entry(entry, fn);
      }
      const before = w.text;
      try {
        const out = fn(entryEdits(w));
        if (!windows.includes(w)) windows.push(w);
        return out;
      } catch (err) {
        w.text = before;
        throw err;
      }
    },
    text: () => whole?.text() ?? joined(),
  };
}
