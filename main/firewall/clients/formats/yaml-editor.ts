import { isAlias, isMap, isNode, isScalar, isSeq, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import type { KeyPath } from '../types.js';
import {
  ConfigParseError,
  detectEol,
  endOfLine,
  sequentialEdits,
  splice,
  startOfLine,
  UnsupportedEditError,
  type FormatEditor,
  type Span,
} from './editor.js';

// Goose and Continue files are edited by splicing node ranges from the yaml CST rather
// than Document.toString(), which would re-flow quoting and flow collections elsewhere.

function load(text: string): Document.Parsed {
  const doc = parseDocument(text, { prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    throw new ConfigParseError(`invalid YAML (${err.code})`, pos?.line, pos?.col);
  }
  return doc;
}

function nodeAt(doc: Document.Parsed, path: KeyPath): YamlNode | undefined {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  return node && typeof node === 'object' && 'range' in node ? (node as YamlNode) : undefined;
}

/**
 * Refuses an edit at `path` that would change more than the entry it is meant for. YAML
 * anchors and aliases share one node between places (`b: *a` is entry a over again, `<<: *base`
 * merges it): the text of an anchored node is what each alias stands for, so editing in it
 * (the anchor stays on the new value) would rewrite the aliased entries too, silently; and
 * an edit through an alias has no text of its own to change. Nodes with no alias pointing at
 * them are edited as any other, and so is an entry's own alias (`args: *common`), which
 * gets a value of its own.
 */
function assertNotShared(doc: Document.Parsed, path: KeyPath): void {
  const aliased = new Set<string>();
  visit(doc, { Alias: (_, alias) => void aliased.add(alias.source) });
  if (aliased.size === 0) return;
  const anchored = (node: unknown): string | undefined => {
    const anchor = isNode(node) ? node.anchor : undefined;
    return anchor !== undefined && aliased.has(anchor) ? anchor : undefined;
  };
  const refuse = (anchor: string) => {
    throw new UnsupportedEditError(`the YAML anchor &${anchor} is here, and *${anchor} elsewhere in the file stands for it: editing it would change that too; left as is: write the value out in full in place of each *${anchor}, then run again`);
  };
  let node: unknown = doc.contents;
  for (let i = 0; ; i++) {
    if (isAlias(node) && i < path.length) {
      throw new UnsupportedEditError(`written as the YAML alias *${node.source}, a copy of what &${node.source} marks, not a value of its own; left as is: write it out in full in place of *${node.source}, then run again`);
    }
    const anchor = anchored(node);
    if (anchor !== undefined) refuse(anchor);
    if (i === path.length) break;
    const key = path[i];
    if (isMap(node)) node = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key)?.value;
    else if (isSeq(node) && typeof key === 'number') node = node.items[key];
    else return; // an added key: only its parents matter
    if (node === undefined || node === null) return;
  }
  // What the edit replaces or removes: an anchor inside it would leave its aliases behind.
  if (isNode(node)) {
    visit(node, {
      Node: (_, inner) => {
        const anchor = anchored(inner);
        if (anchor !== undefined) refuse(anchor);
      },
    });
  }
}

function trimmedSpan(text: string, node: YamlNode): Span | undefined {
  const range = node.range;
  if (!range) return undefined;
  let end = range[1];
  // Block collections end after their trailing newline; the value itself stops at the last item.
  while (end > range[0] && /\s/.test(text[end - 1] ?? '')) end--;
  return { start: range[0], end };
}

function column(text: string, offset: number): number {
  return offset - startOfLine(text, offset);
}

function scalar(value: unknown): string {
  // JSON string syntax is a valid YAML double-quoted scalar and quotes anything ambiguous.
  return JSON.stringify(value);
}

function emit(value: unknown, blockIndent?: number, eol = '\n'): string {
  if (!Array.isArray(value)) return scalar(value);
  if (blockIndent === undefined || value.length === 0) return `[${value.map(scalar).join(', ')}]`;
  return '- ' + value.map(scalar).join(`${eol}${' '.repeat(blockIndent)}- `);
}

export const yamlEditor: FormatEditor = {
  parse(text) {
    return load(text).toJS();
  },
  spanOf(text, path) {
    const node = nodeAt(load(text), path);
    return node && trimmedSpan(text, node);
  },
  set(text, path, value, after) {
    const doc = load(text);
    assertNotShared(doc, path);
    const node = nodeAt(doc, path);
    const span = node && trimmedSpan(text, node);
    if (node && span) {
      const block = isSeq(node) && !node.flow ? column(text, span.start) : undefined;
      return splice(text, span, emit(value, block, detectEol(text)));
    }
    const parent = nodeAt(doc, path.slice(0, -1));
    const key = path[path.length - 1];
    if (!isMap(parent) || parent.flow || typeof key !== 'string' || parent.items.length === 0) {
      throw new UnsupportedEditError(`cannot add ${String(key)} here (not a block mapping)`);
    }
    const anchor = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === after) ?? parent.items.at(-1);
    const firstKey = parent.items[0]?.key as YamlNode | undefined;
    const anchorEnd = ((anchor?.value ?? anchor?.key) as YamlNode | undefined)?.range?.[1];
    if (!firstKey?.range || anchorEnd === undefined) throw new UnsupportedEditError('cannot locate mapping keys');
    const at = endOfLine(text, Math.max(anchorEnd - 1, 0));
    const indent = ' '.repeat(column(text, firstKey.range[0]));
    const eol = detectEol(text);
    const line = `${indent}${key}: ${emit(value)}${eol}`;
    return at === text.length && !text.endsWith('\n') ? `${text}${eol}${line}` : splice(text, { start: at, end: at }, line);
  },
  remove(text, path) {
    const doc = load(text);
    assertNotShared(doc, path);
    const parent = nodeAt(doc, path.slice(0, -1));
    const key = path[path.length - 1];
    if (!isMap(parent)) return text;
    const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
    const keyStart = (pair?.key as YamlNode | undefined)?.range?.[0];
    if (!pair || keyStart === undefined) return text;
    const valueNode = pair.value as YamlNode | null;
    const end = valueNode && trimmedSpan(text, valueNode)?.end;
    const lineStart = startOfLine(text, keyStart);
    const start = text.slice(lineStart, keyStart).trim() === '' ? lineStart : keyStart;
    return splice(text, { start, end: endOfLine(text, Math.max((end ?? keyStart) - 1, keyStart)) }, '');
  },
  edits: (text) => sequentialEdits(yamlEditor, text),
};
