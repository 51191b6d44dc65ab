import {
  applyEdits,
  findNodeAtLocation,
  modify,
  parse,
  parseTree,
  printParseErrorCode,
  type FormattingOptions,
  type ParseError,
} from 'jsonc-parser';
import type { KeyPath } from '../types.js';
import { ConfigParseError, detectEol, lineCol, type FormatEditor, type Span } from './editor.js';

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
    const root = parseTree(unBom(text), [], PARSE_OPTIONS);
    const node = root && findNodeAtLocation(root, path);
    return node ? { start: node.offset, end: node.offset + node.length } : undefined;
  },
  set(text, path, value, after) {
    const getInsertionIndex = after
      ? (props: string[]) => (props.includes(after) ? props.indexOf(after) + 1 : props.length)
      : undefined;
    const edits = modify(unBom(text), path, value, { formattingOptions: formatting(text), getInsertionIndex });
    return applyEdits(text, edits);
  },
  remove(text, path) {
    const edits = modify(unBom(text), path, undefined, { formattingOptions: formatting(text) });
    return applyEdits(text, edits);
  },
};
