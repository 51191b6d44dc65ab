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
