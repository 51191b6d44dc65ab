import type { CueFinding, DiffRow, FieldDiff, HeldToolReview, MarkedText } from '../../../preload/contract.js';
import { canonicalJson, findPoisoningCues, makeVisible, PINNED_TOOL_FIELDS, pinnedView, type Cue } from '../manifest/index.js';
import { diffLines, fieldLines } from '../manifest/diff.js';
import { toolStrings } from '../manifest/tool-strings.js';
import type { PendingTool } from '../pins/pin-store.js';

// Unchanged runs longer than this fold into one "skipped" row, so a one-sentence
// injection into a long schema is not lost below the fold.
const CONTEXT = 2;
const RANK = { low: 0, medium: 1, high: 2 } as const;

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

export function fieldDiffs(before: unknown, after: unknown): { fields: FieldDiff[]; unchanged: string[] } {
  const a = pinnedView(before);
  const b = pinnedView(after);
  const fields: FieldDiff[] = [];
  const unchanged: string[] = [];
  for (const field of PINNED_TOOL_FIELDS) {
    const va = a[field];
    const vb = b[field];
    if (va === undefined && vb === undefined) continue;
    if (va !== undefined && vb !== undefined && canonicalJson(va) === canonicalJson(vb)) {
      unchanged.push(field);
      continue;
    }
    fields.push({ field, state: va === undefined ? 'added' : vb === undefined ? 'removed' : 'changed', rows: sideBySide(fieldLines(va), fieldLines(vb)) });
  }
  return { fields, unchanged };
}

/**
 * Cuts each string that carries findings at the findings' edges, keeping the most severe
 * finding per piece. Offsets are into the raw string; every piece is made visible only
 * after cutting, so a smuggled zero-width character shows as \u{200B} and not as nothing.
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
      const text = makeVisible(s.text.slice(from, to));
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
  const cues = findPoisoningCues(held.definition, { siblingToolNames });
  const findings: CueFinding[] = cues.map(({ kind, severity, path, excerpt, reason }) => ({ kind, severity, path, excerpt, reason }));
  return {
    server: held.server, tool: held.tool, kind: held.kind, reason: held.reason,
    ...fieldDiffs(pinned ?? {}, held.definition),
    cues: findings,
    marked: markCues(held.definition, cues),
  };
}
