import type { CueFinding, DiffRow, FieldDiff, HeldToolReview, MarkedText } from '../../../preload/contract.js';
import { canonicalJson, findPoisoningCues, makeVisible, reviewedFields, type Cue } from '../manifest/index.js';
import { kindOfKey } from '../pins/manifest-keys.js';
import { diffLines, fieldLines } from '../manifest/diff.js';
import { keepEnds } from '../manifest/visible-text.js';
import { toolStrings } from '../manifest/tool-strings.js';
import type { PendingTool } from '../pins/pin-store.js';

// Unchanged runs longer than this fold into one "skipped" row, so a one-sentence
// injection into a long schema is not lost below the fold.
const CONTEXT = 2;
const RANK = { low: 0, medium: 1, high: 2 } as const;

// A server writes its own tool definitions: a 3 MB description of 400,000 short lines, one
// 5 MB line, or a string with 100,000 zero-width characters (as many findings) would
// otherwise arrive as a page the browser cannot lay out, and the review could not be
// answered. The page shows the start and the end of each and says how much it left out;
// `mcp-firewall pins diff` prints everything.
const HEAD_ROWS = 300;
const TAIL_ROWS = 100;
const LINE_CHARS = 2_000;
const MAX_CUES = 200;

const notShown = (cut: number) => ` … (${cut} characters not shown) … `;

/** The start and end of a raw string past `max` characters, each made visible, with what was left out between. */
export function visibleBounded(raw: string, max: number): string {
  return keepEnds(raw, max, 0.5, notShown, makeVisible);
}

/** A diff line (already visible) past LINE_CHARS keeps its start and end. */
function boundedLine(line: string | null): string | null {
  return line === null ? null : keepEnds(line, LINE_CHARS, 0.5, notShown);
}

function boundedRows(rows: DiffRow[]): DiffRow[] {
  const shown = rows.map((row) => ({ ...row, before: boundedLine(row.before), after: boundedLine(row.after) }));
  if (shown.length <= HEAD_ROWS + TAIL_ROWS) return shown;
  return [...shown.slice(0, HEAD_ROWS), { tag: 'cut', before: null, after: null, hidden: shown.length - HEAD_ROWS - TAIL_ROWS }, ...shown.slice(-TAIL_ROWS)];
}

/** Pairs each run of removals with the additions that follow it, so both sides line up. */
export function sideBySide(before: string[], after: string[]): DiffRow[] {
  const rows: DiffRow[] = [];
  const ops = diffLines(before, after);
  for (let i = 0; i < ops.length; ) {
    if (ops[i]!.tag === ' ') {
      rows.push({ tag: 'same', before: ops[i]!.line, after: ops[i]!.line });
      i++;
      continue;
    }
    const removed: string[] = [];
    const added: string[] = [];
    while (i < ops.length && ops[i]!.tag === '-') removed.push(ops[i++]!.line);
    while (i < ops.length && ops[i]!.tag === '+') added.push(ops[i++]!.line);
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const b = removed[k] ?? null;
      const a = added[k] ?? null;
      rows.push({ tag: b !== null && a !== null ? 'changed' : b !== null ? 'removed' : 'added', before: b, after: a });
    }
  }
  return foldUnchanged(rows);
}

function foldUnchanged(rows: DiffRow[]): DiffRow[] {
  const near = rows.map((_, i) => rows.slice(Math.max(0, i - CONTEXT), i + CONTEXT + 1).some((r) => r.tag !== 'same'));
  const out: DiffRow[] = [];
  rows.forEach((row, i) => {
    if (near[i]) out.push(row);
    else if (out.at(-1)?.tag !== 'skipped') out.push({ tag: 'skipped', before: null, after: null });
  });
  return out;
}

export function fieldDiffs(before: unknown, after: unknown, whole = false): { fields: FieldDiff[]; unchanged: string[] } {
  const { a, b, fields: names } = reviewedFields(before, after, whole);
  const fields: FieldDiff[] = [];
  const unchanged: string[] = [];
  for (const field of names) {
    const va = a[field];
    const vb = b[field];
    if (va === undefined && vb === undefined) continue;
    if (va !== undefined && vb !== undefined && canonicalJson(va) === canonicalJson(vb)) {
      unchanged.push(field);
      continue;
    }
    fields.push({ field, state: va === undefined ? 'added' : vb === undefined ? 'removed' : 'changed', rows: boundedRows(sideBySide(fieldLines(va), fieldLines(vb))) });
  }
  return { fields, unchanged };
}

/**
 * Cuts each string that carries findings at the findings' edges, keeping the most severe
 * finding per piece. Offsets are into the raw string; every piece is made visible only
 * after cutting, so a smuggled zero-width character shows as \u{200B} and not as nothing;
 * a piece longer than LINE_CHARS keeps its start and end.
 */
export function markCues(tool: unknown, cues: Cue[]): MarkedText[] {
  const byPath = new Map<string, number[]>();
  cues.forEach((cue, i) => byPath.set(cue.path, [...(byPath.get(cue.path) ?? []), i]));
  const marked: MarkedText[] = [];
  for (const s of toolStrings(tool)) {
    const mine = byPath.get(s.path);
    if (!mine || s.role === 'name') continue;
    byPath.delete(s.path);
    const cuts = [...new Set([0, s.text.length, ...mine.flatMap((i) => [cues[i]!.start, cues[i]!.end])])].filter((n) => n >= 0 && n <= s.text.length).sort((x, y) => x - y);
    const segments: MarkedText['segments'] = [];
    for (let k = 0; k + 1 < cuts.length; k++) {
      const [from, to] = [cuts[k]!, cuts[k + 1]!];
      const covering = mine.filter((i) => cues[i]!.start <= from && cues[i]!.end >= to && cues[i]!.end > cues[i]!.start);
      const worst = covering.sort((x, y) => RANK[cues[y]!.severity] - RANK[cues[x]!.severity])[0];
      const text = visibleBounded(s.text.slice(from, to), LINE_CHARS);
      const last = segments.at(-1);
      if (last && last.cue === worst) last.text += text;
      else segments.push({ text, ...(worst === undefined ? {} : { cue: worst }) });
    }
    marked.push({ path: s.path, segments });
  }
  return marked;
}

/** The review of one held tool: what changed against its pin, and what in it looks like poison. */
export function heldToolReview(held: PendingTool, pinned: unknown, siblingToolNames: string[]): HeldToolReview {
  const found = findPoisoningCues(held.definition, { siblingToolNames });
  // Past the limit the most severe are kept, so the ones listed and marked are the ones that matter.
  const cues = found.length <= MAX_CUES ? found : [...found].sort((a, b) => RANK[b.severity] - RANK[a.severity]).slice(0, MAX_CUES);
  const findings: CueFinding[] = cues.map(({ kind, severity, path, excerpt, reason }) => ({ kind, severity, path, excerpt, reason }));
  return {
    server: held.server, tool: held.tool, digest: held.digest, kind: held.kind, reason: held.reason,
    ...fieldDiffs(pinned ?? {}, held.definition, kindOfKey(held.tool) !== 'tools'),
    cues: findings,
    cuesNotShown: found.length - cues.length,
    marked: markCues(held.definition, cues),
  };
}
