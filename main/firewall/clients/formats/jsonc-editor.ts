import {
  applyEdits,
  findNodeAtLocation,
  format,
  modify,
  parse,
  parseTree,
  printParseErrorCode,
  type EditResult,
  type FormattingOptions,
  type Node as JsonNode,
  type ParseError,
} from 'jsonc-parser';
import type { KeyPath } from '../types.js';
import { ConfigParseError, detectEol, lineCol, UnsupportedEditError, type FormatEditor, type Span } from './editor.js';

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true };

// jsonc-parser rejects a UTF-8 BOM (Windows editors add one); a same-length space keeps offsets valid.
function unBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
}

function formatting(text: string): FormattingOptions {
  const indented = /^([ \t]+)\S/m.exec(text);
  const indent = indented?.[1] ?? '  ';
  const insertSpaces = !indent.startsWith('\t');
  return { insertSpaces, tabSize: insertSpaces ? indent.length : 1, eol: detectEol(text) };
}

/**
 * Applies modify()'s raw edits, then lays out only the text they inserted. modify() with
 * formatting options re-formats every whole line an insertion or removal touches, which
 * on a one-line file is the whole file: other entries and settings would change shape.
 */
function applyLaidOut(text: string, edits: EditResult): string {
  const out = applyEdits(text, edits);
  const inserted = edits.length === 1 ? edits[0]! : undefined;
  if (!inserted || inserted.content.length === 0) return out;
  return applyEdits(out, format(unBom(out), { offset: inserted.offset, length: inserted.content.length }, formatting(text)));
}

// The tree of the text last looked at: an edit looks up a span, then checks the path, in
// the same text; on a large ~/.claude.json (MBs of project history) each parse is ~20 ms.
let lastTree: { text: string; root: JsonNode | undefined } | null = null;
function treeOf(text: string): JsonNode | undefined {
  if (lastTree?.text !== text) lastTree = { text, root: parseTree(unBom(text), [], PARSE_OPTIONS) };
  return lastTree.root;
}

/**
 * A key written twice on the way to path: clients (JSON.parse) take the last one, the
 * editor would change the first, so the edit could never be what the client runs.
 */
function assertUniquePath(text: string, path: KeyPath): void {
  let node: JsonNode | undefined = treeOf(text);
  for (const key of path) {
    if (node?.type !== 'object' || typeof key !== 'string') return;
    const props = (node.children ?? []).filter((p) => p.children?.[0]?.value === key);
    if (props.length > 1) throw new UnsupportedEditError(`duplicate key ${JSON.stringify(key)}; left as is`);
    node = props[0]?.children?.[1];
  }
}

export const jsoncEditor: FormatEditor = {
  parse(text) {
    const errors: ParseError[] = [];
    const value: unknown = parse(unBom(text), errors, PARSE_OPTIONS);
    const first = errors[0];
    if (first) {
      const { line, column } = lineCol(text, first.offset);
      throw new ConfigParseError(`invalid JSON (${printParseErrorCode(first.error)})`, line, column);
    }
    return value;
  },
  spanOf(text, path: KeyPath): Span | undefined {
    const root = treeOf(text);
    const node = root && findNodeAtLocation(root, path);
    return node ? { start: node.offset, end: node.offset + node.length } : undefined;
  },
  set(text, path, value, after) {
    assertUniquePath(text, path);
    const getInsertionIndex = after
      ? (props: string[]) => (props.includes(after) ? props.indexOf(after) + 1 : props.length)
      : undefined;
    return applyLaidOut(text, modify(unBom(text), path, value, { getInsertionIndex }));
  },
  remove(text, path) {
    return applyLaidOut(text, modify(unBom(text), path, undefined, {}));
  },
};
