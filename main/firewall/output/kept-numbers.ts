import { isKeptNumber } from '../jsonrpc/exact-numbers.js';

// A line that leaves rewritten must carry its numbers as the server wrote them, which only a
// second read with source text gives (exact-numbers.ts). Scanning that second tree again costs
// as much as the first scan; the numbers are moved into the tree already scanned instead.

type Members = Record<string, unknown> | unknown[];

// Array indices come first in an object's key order whatever order they were written in, so a
// renamed key that was one, or a redaction that leaves one (invisible characters dropped), can
// move members: such an object is not matched by position.
const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * `scanned` (the same text read by plain JSON.parse, then redacted in place by the output
 * stage) with each number of `kept` (parseKeepingNumbers) put where it stands in `kept`;
 * undefined when the two trees cannot be matched member for member. Redaction replaces strings
 * by strings and renames keys, keeping their order (verdict.ts renamedKeys: a new name is
 * never one of the object's keys), so a key missing from `scanned` sits at its position.
 */
export function withKeptNumbers(kept: unknown, scanned: unknown): unknown {
  if (isKeptNumber(kept)) return kept;
  return placedIn(kept, scanned) ? scanned : undefined;
}

function placedIn(kept: unknown, scanned: unknown): boolean {
  if (kept === null || typeof kept !== 'object') return true;
  if (scanned === null || typeof scanned !== 'object' || Array.isArray(kept) !== Array.isArray(scanned)) return false;
  if (Array.isArray(kept)) {
    const into = scanned as unknown[];
    if (kept.length !== into.length) return false;
    for (let i = 0; i < kept.length; i++) if (!placed(kept, i, into, i)) return false;
    return true;
  }
  const from = kept as Record<string, unknown>;
  const into = scanned as Record<string, unknown>;
  const keys = Object.keys(from);
  let names: string[] | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (Object.hasOwn(into, key)) {
      if (!placed(from, key, into, key)) return false;
      continue;
    }
    names ??= Object.keys(into);
    if (names.length !== keys.length || keys.some((k) => ARRAY_INDEX.test(k)) || names.some((k) => ARRAY_INDEX.test(k))) return false;
    if (!placed(from, key, into, names[i]!)) return false;
  }
  return true;
}

function placed(from: Members, key: string | number, into: Members, at: string | number): boolean {
  const v = (from as Record<string | number, unknown>)[key];
  if (isKeptNumber(v)) {
    (into as Record<string | number, unknown>)[at] = v;
    return true;
  }
  return placedIn(v, (into as Record<string | number, unknown>)[at]);
}
