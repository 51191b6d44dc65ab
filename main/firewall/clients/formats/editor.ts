import type { KeyPath } from '../types.js';

export interface Span {
  start: number;
  end: number;
}

/**
 * Format-aware text editing. Every edit is a splice of the source text, never a
 * parse-and-reserialise, so comments, order, quoting and blank lines outside the
 * edited value stay byte-for-byte what the user (or the client) wrote.
 */
export interface FormatEditor {
  /** Throws ConfigParseError with a line and column. Empty text parses to undefined. */
  parse(text: string): unknown;
  /** Source span of the value at path, if present. */
  spanOf(text: string, path: KeyPath): Span | undefined;
  /** Sets the value at path; a new key goes right after the sibling `after` when there is one. */
  set(text: string, path: KeyPath, value: unknown, after?: string): string;
  remove(text: string, path: KeyPath): string;
  /** Edits of this text made entry by entry, read once (see FileEdits). */
  edits(text: string): FileEdits;
}

/** One entry's edits; every path is the entry's own path or under it. */
export interface EntryEdits {
  /** Source text of the value at path, or null when there is none. */
  textAt(path: KeyPath): string | null;
  set(path: KeyPath, value: unknown, after?: string): void;
  remove(path: KeyPath): void;
  /** Puts source text in place of the value at path (a saved original); nothing when there is none. */
  replace(path: KeyPath, text: string): void;
}

/**
 * The edits of one file, entry by entry. Each entry's edits happen in order, exactly as
 * FormatEditor's set/remove would make them on the whole text; `entry` keeps all of them or,
 * when its callback throws, none. How much of the file each edit reads is the format's
 * business: a large ~/.claude.json must not be parsed again for every edit.
 */
export interface FileEdits {
  entry<T>(path: KeyPath, fn: (edits: EntryEdits) => T): T;
  /** The text with every kept entry's edits. */
  text(): string;
}

export function assertUnder(entry: KeyPath, path: KeyPath): void {
  if (path.length < entry.length || entry.some((k, i) => path[i] !== k)) {
    throw new Error(`edit of ${JSON.stringify(path)} outside its entry ${JSON.stringify(entry)}`);
  }
}

/** Every edit on the whole text, one after another: what the small formats need. */
export function sequentialEdits(editor: Omit<FormatEditor, 'edits'>, text: string): FileEdits {
  let current = text;
  return {
    entry(entryPath, fn) {
      const before = current;
      const edits: EntryEdits = {
        textAt(path) {
          assertUnder(entryPath, path);
          const span = editor.spanOf(current, path);
          return span ? current.slice(span.start, span.end) : null;
        },
        set(path, value, after) {
          assertUnder(entryPath, path);
          current = editor.set(current, path, value, after);
        },
        remove(path) {
          assertUnder(entryPath, path);
          current = editor.remove(current, path);
        },
        replace(path, replacement) {
          assertUnder(entryPath, path);
          const span = editor.spanOf(current, path);
          if (span) current = splice(current, span, replacement);
        },
      };
      try {
        return fn(edits);
      } catch (err) {
        current = before;
        throw err;
      }
    },
    text: () => current,
  };
}

export class ConfigParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? message : `${message} at line ${line}, column ${column ?? 1}`);
  }
}

export class UnsupportedEditError extends Error {}

export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lastNl = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastNl = i;
    }
  }
  return { line, column: offset - lastNl };
}

export function splice(text: string, span: Span, replacement: string): string {
  return text.slice(0, span.start) + replacement + text.slice(span.end);
}

/** Index just past the newline that ends the line containing offset (or text end). */
export function endOfLine(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

export function startOfLine(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

export function detectEol(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}
