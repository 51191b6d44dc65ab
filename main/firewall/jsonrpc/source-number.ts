import { numbersAsRead } from './json-scan.js';

// A digest of what JSON.parse read cannot tell apart texts it reads alike: `"maximum": 1e400`,
// `-1e400` (both Infinity) and `null` (canonical JSON writes a non-finite number as null), or
// 9007199254740993 and …992. The client gets the server's own bytes, so such a change is a
// change of the tool: these numbers are digested as the server wrote them. Only numbers whose
// value the parse changed count: `1.0` or `1e2` read exactly (Python writes every float as
// `1.0`), and digesting their text would drift every pin of such a server.

/** A number as the server wrote it, where JSON.parse read another value. */
export class SourceNumber {
  constructor(readonly source: string) {}
}

/** Where in one item a changed number sits, and its text. */
export type NumberSources = Array<[path: Array<string | number>, source: string]>;

const NUMBER_TOKEN = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A decimal as its significant digits and the exponent of the last of them ('' for zero, whatever its sign). */
function decimalValue(text: string): string | null {
  const parts = NUMBER_TOKEN.exec(text);
  if (!parts) return null;
  const [, sign, whole, fraction = '', exponent = '0'] = parts;
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') return '';
  const kept = digits.replace(/0+$/, '');
  return `${sign}${kept}e${BigInt(exponent) - BigInt(fraction.length) + BigInt(digits.length - kept.length)}`;
}

/** Whether JSON.parse reads the number `token` as another value (past the range of doubles, or rounded). */
export function parseChanges(token: string): boolean {
  const read = Number(token);
  if (!Number.isFinite(read)) return true;
  return decimalValue(token) !== decimalValue(String(read).replace('e+', 'e'));
}

/** Whether `source` is one JSON number token (what a SourceNumber may carry into canonical JSON). */
const isNumberToken = (source: string): boolean => NUMBER_TOKEN.test(source);

/**
 * The JSON `text` parsed with each number the parse changed as a SourceNumber, or null when
 * none is (every number written as JSON.stringify writes it is read exactly: the common case
 * costs one scan, no second parse).
 */
export function parsedWithSources(text: string): unknown {
  if (numbersAsRead(text)) return null;
  // Node >= 21 gives a reviver the source text of each primitive (TC39 "JSON.parse source text access").
  return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && typeof context?.source === 'string' && parseChanges(context.source) ? new SourceNumber(context.source) : value,
  );
}

/** The SourceNumbers in `value` (as parsedWithSources gave it), by path; null when there are none. */
export function numberSourcesIn(value: unknown): NumberSources | null {
  const found: NumberSources = [];
  const visit = (v: unknown, path: Array<string | number>) => {
    if (v instanceof SourceNumber) found.push([path, v.source]);
    else if (Array.isArray(v)) v.forEach((member, i) => visit(member, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [key, member] of Object.entries(v)) visit(member, [...path, key]);
  };
  visit(value, []);
  return found.length > 0 ? found : null;
}

/** A copy of `item` with a SourceNumber at each path that reaches into it (the rest shared); `item` itself is left as it is. */
export function withNumberSources(item: unknown, sources: NumberSources): unknown {
  let copy = item;
  for (const [path, source] of sources) {
    if (isNumberToken(source)) copy = placed(copy, path, 0, new SourceNumber(source));
  }
  return copy;
}

function placed(value: unknown, path: Array<string | number>, at: number, number: SourceNumber): unknown {
  if (at === path.length) return number;
  const key = path[at]!;
  if (Array.isArray(value) && typeof key === 'number' && key >= 0 && key < value.length) {
    const copy = [...value];
    copy[key] = placed(value[key], path, at + 1, number);
    return copy;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof key !== 'string' || !Object.hasOwn(value, key)) return value;
  // Spread and defineProperty make own members even of `__proto__`, as JSON.parse does.
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  Object.defineProperty(copy, key, { value: placed((value as Record<string, unknown>)[key], path, at + 1, number), enumerable: true, writable: true, configurable: true });
  return copy;
}
