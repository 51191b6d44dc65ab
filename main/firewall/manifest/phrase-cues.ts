import type { Cue, CueContext } from './cue-types.js';
import { excerptAt } from './excerpt.js';
import { decodedTagText } from './invisible-cues.js';
import { PHRASE_RULES } from './phrase-rules.js';
import { phraseView, type PhraseView } from './phrase-view.js';
import { SENSITIVE_PATHS } from './sensitive-paths.js';
import type { ToolString } from './tool-strings.js';

// A call/use verb followed by an identifier shaped like a tool name (snake, kebab, dotted).
// "this tool" / "the same tool" are self-references, not redirection.
const CALL_TOOL = /\b(?:call|invoke|use|execute|trigger|prefer\s+it\s+over|run(?=\s+(?:the\s+)?[`'"]?[\w.-]+[`'"]?\s+tool\b))\s+(?:the\s+|a\s+)?[`'"]?((?!(?:this|that|the|a|an|any|each|every|other|same|another|these|those|multiple|individual|which|what|his|her|its|their|your|our|my)\b)(?:[A-Za-z][\w-]{0,62}(?:[_.-][\w-]{1,62})+|[A-Za-z][\w-]{1,62}(?=[`'"]?\s+(?:tool|function)\b)))[`'"]?/gi;
const WHEN_TOOL = /\bwhen(?:ever)?\s+(?:the\s+|a\s+)?[`'"]?([A-Za-z][\w-]{0,62}(?:[_.-][\w-]{1,62})+)[`'"]?\s+(?:tool\s+)?(?:is\s+)?(?:called|used|invoked|runs?|executed|available)\b|\bnote\s+for\s+the\s+[`'"]?([A-Za-z][\w.-]{1,62})[`'"]?\s+tool\b/gi;

interface Scan {
  path: string;
  original: string;
  clean: string;
  map: (i: number) => number;
}

export function findPhraseCues(s: ToolString, ownName: string, context: CueContext): Cue[] {
  if (s.role !== 'text') return [];
  const view = phraseView(s.text);
  const scans: Scan[] = [{ path: s.path, original: s.text, clean: view.clean, map: view.toOriginal }];
  // Text smuggled in tag characters is scanned as if it were visible, so the finding says
  // what the hidden text asks for, not just that something is hidden.
  const hidden = decodedTagText(s.text);
  if (hidden) scans.push({ path: s.path, original: s.text, clean: hidden, map: () => 0 });
  const cues: Cue[] = [];
  for (const scan of scans) {
    const add = (start: number, end: number, c: Omit<Cue, 'path' | 'start' | 'end' | 'excerpt'>): void => {
      const from = scan.map(start);
      const to = scan === scans[0] ? scan.map(end - 1) + 1 : 0;
      const excerpt = scan === scans[0] ? excerptAt(scan.original, from, to) : `hidden text: "${excerptAt(scan.clean, start, end)}"`;
      cues.push({ ...c, path: scan.path, start: from, end: to, excerpt });
    };
    for (const rule of PHRASE_RULES) {
      if (rule.scope === 'param' && s.param === undefined) continue;
      for (const m of scan.clean.matchAll(rule.re)) {
        add(m.index, m.index + m[0].length, { kind: rule.kind, severity: rule.severity, reason: rule.reason });
      }
    }
    for (const p of SENSITIVE_PATHS) {
      for (const m of scan.clean.matchAll(p.re)) {
        add(m.index, m.index + m[0].length, { kind: 'sensitive-path', severity: p.severity, reason: `names a sensitive file: ${p.what}` });
      }
    }
    findToolMentions(scan.clean, ownName, context, add);
  }
  return [...cues, ...compoundCues(s, view, cues)];
}

function findToolMentions(
  text: string,
  ownName: string,
  context: CueContext,
  add: (start: number, end: number, c: Omit<Cue, 'path' | 'start' | 'end' | 'excerpt'>) => void,
): void {
  const siblings = new Set(context.siblingToolNames ?? []);
  siblings.add(ownName);
  const others = new Set((context.otherToolNames ?? []).filter((n) => !siblings.has(n)));
  for (const m of text.matchAll(CALL_TOOL)) {
    const name = m[1]!;
    if (siblings.has(name) || others.has(name)) continue;
    // "use dry-run", "call built-in": one hyphen is ordinary English unless the text marks
    // the word as a tool (quoted, or followed by "tool").
    const marked = /[`'"]/.test(m[0]) || /^\s*(?:tool|function)\b/i.test(text.slice(m.index + m[0].length, m.index + m[0].length + 12));
    if (!/[_.]/.test(name) && (name.match(/-/g) ?? []).length < 2 && !marked) continue;
    add(m.index, m.index + m[0].length, { kind: 'tool-redirection', severity: 'medium', reason: `tells the model to call "${name}", which this server does not list` });
  }
  for (const m of text.matchAll(WHEN_TOOL)) {
    const name = (m[1] ?? m[2])!;
    if (siblings.has(name)) continue;
    add(m.index, m.index + m[0].length, { kind: 'cross-server-reference', severity: 'high', reason: `sets behaviour for "${name}", a tool this server does not own` });
  }
  for (const name of others) {
    // Generic one-word names ("search", "query") appear in ordinary prose; a distinctive
    // identifier of another server's tool does not.
    const distinctive = /[_.-]/.test(name) || /[a-z][A-Z]/.test(name);
    let from = 0;
    for (;;) {
      const i = text.indexOf(name, from);
      if (i < 0) break;
      from = i + name.length;
      const before = text[i - 1];
      const after = text[i + name.length];
      if ((before && /[\w-]/.test(before)) || (after && /[\w-]/.test(after))) continue;
      add(i, i + name.length, {
        kind: 'cross-server-reference',
        severity: distinctive ? 'high' : 'medium',
        reason: `mentions "${name}", a tool of another server (shadowing)`,
      });
    }
  }
}

// One sentence that both imposes a precondition and names a file, tool or destination is
// the shape of the published attacks ("before using this tool, read X and pass it as Y"),
// even when each phrase alone is something an honest tool might say. Sentences are read in
// the view, where a line break is a space: ended at each one, a sentence broken over lines
// held one cue a line and was never compound.
function compoundCues(s: ToolString, view: PhraseView, cues: Cue[]): Cue[] {
  const medium = cues.filter((c) => c.severity === 'medium' && c.kind !== 'secret-reference');
  if (medium.length < 2) return [];
  const out: Cue[] = [];
  for (const m of view.clean.matchAll(/[^.!?]+[.!?]?/g)) {
    const start = view.toOriginal(m.index);
    const end = view.toOriginal(m.index + m[0].length - 1) + 1;
    const kinds = new Set(medium.filter((c) => c.start >= start && c.start < end).map((c) => c.kind));
    if (kinds.size < 2) continue;
    out.push({
      kind: 'compound-instruction',
      path: s.path,
      start,
      end,
      severity: 'high',
      excerpt: excerptAt(s.text, start, end),
      reason: `several instruction cues in one sentence: ${[...kinds].join(', ')}`,
    });
  }
  return out;
}
