// Canonical JSON for pins: two manifests that mean the same thing must hash the same, or
// every key reordering by a server upgrade would look like a rug pull and train users to
// click "accept" without reading.
//
// Rules: object keys sorted by UTF-16 code unit order, no whitespace, `undefined` members
// dropped (as JSON.stringify does), -0 written as 0, non-finite numbers as null. Strings are
// NOT Unicode-normalised: an invisible or look-alike character is exactly the kind of change
// a pin must catch, because the model reads code points, not glyphs. A number the parse
// changed (1e400, 2^53 + 1), put in as a SourceNumber, is written as the server wrote it.

import { SourceNumber } from '../jsonrpc/source-number.js';

export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, new Set(), null, '');
  return parts.join('');
}

/** The same canonical form indented one member per line, for human-readable diffs. */
export function canonicalPrettyJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, new Set(), '  ', '\n');
  return parts.join('');
}

function write(value: unknown, out: string[], seen: Set<object>, indent: string | null, nl: string): void {
  if (value === null || value === undefined) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'number':
      out.push(Number.isFinite(value) ? JSON.stringify(value === 0 ? 0 : value) : 'null');
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'object':
      if (value instanceof SourceNumber) return void out.push(value.source);
      break;
    default:
      // bigint, function, symbol cannot come out of JSON.parse; keep the hash total anyway.
      out.push('null');
      return;
  }
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError('canonicalJson: cyclic structure');
  seen.add(obj);
  const inner = indent === null ? '' : nl + indent;
  const sep = indent === null ? ':' : ': ';
  if (Array.isArray(obj)) {
    out.push('[');
    obj.forEach((item, i) => {
      out.push(i > 0 ? ',' + inner : inner);
      write(item === undefined ? null : item, out, seen, indent, inner);
    });
    out.push(obj.length > 0 && indent !== null ? nl + ']' : ']');
  } else {
    const record = obj as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    out.push('{');
    keys.forEach((k, i) => {
      out.push(i > 0 ? ',' + inner : inner, JSON.stringify(k), sep);
      write(record[k], out, seen, indent, inner);
    });
    out.push(keys.length > 0 && indent !== null ? nl + '}' : '}');
  }
  seen.delete(obj);
}
