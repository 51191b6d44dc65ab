import { canonicalJson, canonicalPrettyJson } from './canonical-json.js';
import { reviewedFields } from './digest.js';
import { makeVisible } from './visible-text.js';

const CONTEXT_LINES = 2;
// Above this many line pairs the LCS table would cost real memory; show the blocks whole.
const MAX_LCS_CELLS = 4_000_000;

type Op = { tag: ' ' | '-' | '+'; line: string };

/**
 * A readable, line-oriented diff of the pinned fields of two versions of a tool (`whole`:
 * of a prompt, template or the instructions, pinned whole), for `pins diff` and the approval dialog. Text fields are split into sentences so an injected
 * sentence shows up as one `+` line instead of one changed 2,000-character line, and
 * invisible characters are spelled out so a smuggled payload cannot hide in the diff itself.
 */
export function describeToolDiff(before: unknown, after: unknown, whole = false): string {
  const { a, b, fields } = reviewedFields(before, after, whole);
  const out: string[] = [];
  const unchanged: string[] = [];
  for (const field of fields) {
    const va = a[field];
    const vb = b[field];
    if (va === undefined && vb === undefined) continue;
    if (canonicalJson(va ?? null) === canonicalJson(vb ?? null) && (va === undefined) === (vb === undefined)) {
      unchanged.push(field);
      continue;
    }
    const state = va === undefined ? ' (added)' : vb === undefined ? ' (removed)' : '';
    out.push(`${field}:${state}`);
    // A loop, not push(...): a server's description can be 300,000 lines, past what a call's arguments may hold.
    for (const line of renderHunks(diffLines(fieldLines(va), fieldLines(vb)))) out.push(line);
  }
  if (out.length === 0) return 'no changes in the pinned fields';
  if (unchanged.length > 0) out.push(`unchanged: ${unchanged.join(', ')}`);
  return out.join('\n');
}

/** One pinned field as diff lines: pretty JSON, or sentences of long text (an injected sentence is its own line). */
export function fieldLines(value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return textLines(value);
  return canonicalPrettyJson(value).split('\n').map(makeVisible);
}

function textLines(text: string): string[] {
  const lines: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = makeVisible(raw);
    if (line.length <= 100) lines.push(line);
    else for (const sentence of line.split(/(?<=[.!?:;])\s+/)) lines.push(sentence);
  }
  return lines;
}

export function diffLines(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let post = 0;
  while (post < a.length - pre && post < b.length - pre && a[a.length - 1 - post] === b[b.length - 1 - post]) post++;
  const head: Op[] = a.slice(0, pre).map((line) => ({ tag: ' ', line }));
  const tail: Op[] = a.slice(a.length - post).map((line) => ({ tag: ' ', line }));
  const ma = a.slice(pre, a.length - post);
  const mb = b.slice(pre, b.length - post);
  return [...head, ...lcsDiff(ma, mb), ...tail];
}

function lcsDiff(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_LCS_CELLS || n === 0 || m === 0) {
    return [...a.map((line): Op => ({ tag: '-', line })), ...b.map((line): Op => ({ tag: '+', line }))];
  }
  // table[i*(m+1)+j] = LCS length of a[i..] and b[j..]
  const w = m + 1;
  const table = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * w + j] = a[i] === b[j] ? table[(i + 1) * w + j + 1]! + 1 : Math.max(table[(i + 1) * w + j]!, table[i * w + j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push({ tag: ' ', line: a[i]! });
      i++;
      j++;
    } else if (table[(i + 1) * w + j]! >= table[i * w + j + 1]!) {
      ops.push({ tag: '-', line: a[i++]! });
    } else {
      ops.push({ tag: '+', line: b[j++]! });
    }
  }
  while (i < n) ops.push({ tag: '-', line: a[i++]! });
  while (j < m) ops.push({ tag: '+', line: b[j++]! });
  return ops;
}

function renderHunks(ops: Op[]): string[] {
  const keep = ops.map(() => false);
  ops.forEach((op, i) => {
    if (op.tag === ' ') return;
    for (let k = Math.max(0, i - CONTEXT_LINES); k <= Math.min(ops.length - 1, i + CONTEXT_LINES); k++) keep[k] = true;
  });
  const out: string[] = [];
  let skipped = false;
  ops.forEach((op, i) => {
    if (!keep[i]) {
      if (!skipped) out.push('  …');
      skipped = true;
      return;
    }
    skipped = false;
    out.push(`${op.tag} ${op.line}`);
  });
  return out;
}
